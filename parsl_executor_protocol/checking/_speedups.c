/* The checking engine's isinstance hook, in C: the hit path of _engine._instancecheck.
 *
 * A Python __instancecheck__ costs a bound method and a Python frame before it does
 * anything, 2-5x isinstance(x, object); this hook costs neither.  It is the same code as
 * _engine._instancecheck, step for step, over the same state: it reads and replaces
 * _cache.recent_hooked and reads _cache.epoch and _cache.hooked through the cache module's
 * __dict__, keys the tables with the identity _memo.identity gives, and applies a plan's
 * fast verdict as _instancecheck does (see _engine's docstring).  Whatever it does not settle
 * goes to the Python functions it was given: a class it finds in no table to
 * _instancecheck_miss, an instance the fast verdict leaves open to _instancecheck_full.
 *
 * It holds the GIL from its first read to its store of the recent entry, and runs no
 * Python code in between (dict lookups with int keys, a tuple), so the epoch it reads
 * before the lookup is the one the entry is stored under, as in the Python hook.  It
 * holds a reference to what it uses across the calls that may run Python code (the dict
 * reader, the fast function): a collection there may drop the recent entry.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *state;  /* the cache module's __dict__ */
    PyObject *miss;   /* (cls, instance) -> bool: a class found in no table */
    PyObject *full;   /* (cls, instance) -> bool: the full evaluation */
} Hook;

static PyObject *s_recent, *s_epoch, *s_hooked, *s_fast;

/* _memo.identity(obj): id() before 3.12, object.__hash__ (the address rotated by 4 bits)
 * from 3.12.  The engine checks at install time that the two agree. */
static PyObject *
identity_key(PyObject *obj)
{
#if PY_VERSION_HEX >= 0x030C0000
    size_t y = (size_t)(void *)obj;
    y = (y >> 4) | (y << (8 * sizeof(void *) - 4));
    Py_hash_t x = (Py_hash_t)y;
    if (x == -1) {
        x = -2;
    }
    return PyLong_FromSsize_t(x);
#else
    return PyLong_FromVoidPtr(obj);
#endif
}

/* The plan's fast verdict of the instance, as a new reference: Py_True or Py_False when the
 * class decides, (read_dict, names, function) or the function otherwise.  NULL with an
 * exception set, or NULL with none when the class is in no table (the caller calls miss). */
static PyObject *
fast_of(Hook *self, PyObject *cls, PyObject *kind)
{
    PyObject *state = self->state;
    PyObject *recent = PyDict_GetItemWithError(state, s_recent);
    PyObject *epoch = recent ? PyDict_GetItemWithError(state, s_epoch) : NULL;
    if (epoch == NULL || !PyTuple_CheckExact(recent) || PyTuple_GET_SIZE(recent) != 5) {
        return NULL;
    }
    if (PyTuple_GET_ITEM(recent, 2) == kind && PyTuple_GET_ITEM(recent, 0) == cls
        && PyTuple_GET_ITEM(recent, 4) == epoch) {
        return PyObject_GetAttr(PyTuple_GET_ITEM(recent, 3), s_fast);
    }
    /* Owned from here: allocations below may start a collection, whose callbacks
     * (_cache._let_go, _cache._forget) replace the recent entry and drop table entries. */
    Py_INCREF(recent);
    Py_INCREF(epoch);
    PyObject *fast = NULL, *table, *key = NULL, *plan = NULL;
    if (PyTuple_GET_ITEM(recent, 0) == cls) {
        table = PyTuple_GET_ITEM(recent, 1);
    }
    else {
        PyObject *hooked = PyDict_GetItemWithError(state, s_hooked);
        if (hooked == NULL || !PyDict_CheckExact(hooked) || (key = identity_key(cls)) == NULL) {
            goto done;
        }
        table = PyDict_GetItemWithError(hooked, key);
        Py_DECREF(key);
    }
    if (table == NULL || !PyDict_CheckExact(table)) {
        goto done;
    }
    Py_INCREF(table);
    if ((key = identity_key(kind)) != NULL) {
        plan = PyDict_GetItemWithError(table, key);
        Py_XINCREF(plan);
        Py_DECREF(key);
    }
    if (plan != NULL) {
        PyObject *entry = PyTuple_Pack(5, cls, table, kind, plan, epoch);
        if (entry != NULL) {
            if (PyDict_SetItem(state, s_recent, entry) == 0) {
                fast = PyObject_GetAttr(plan, s_fast);
            }
            Py_DECREF(entry);
        }
        Py_DECREF(plan);
    }
    Py_DECREF(table);
done:
    Py_DECREF(recent);
    Py_DECREF(epoch);
    return fast;
}

/* Whether the dict holds none of the names: `names` is a tuple of str, looked up in the dict,
 * as dict.keys().isdisjoint(names) does, so that the dict's keys are never hashed. */
static int
holds_none_of(PyObject *namespace, PyObject *names)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        int found = PyDict_Contains(namespace, PyTuple_GET_ITEM(names, i));
        if (found) {
            return found < 0 ? -1 : 0;
        }
    }
    return 1;
}

static PyObject *
call2(PyObject *func, PyObject *a, PyObject *b)
{
    PyObject *args[3] = {NULL, a, b};
    return PyObject_Vectorcall(func, args + 1, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

static PyObject *
hook_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Hook *self = (Hook *)op;
    if (PyVectorcall_NARGS(nargsf) != 2 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "__instancecheck__ takes the class and one instance");
        return NULL;
    }
    PyObject *cls = args[0], *instance = args[1];
    PyObject *fast = fast_of(self, cls, (PyObject *)Py_TYPE(instance));
    if (fast == NULL) {
        return PyErr_Occurred() ? NULL : call2(self->miss, cls, instance);
    }
    if (fast == Py_True || fast == Py_False) {
        return fast;
    }
    if (PyTuple_CheckExact(fast) && PyTuple_GET_SIZE(fast) == 3) {
        /* Nothing is required of the __dict__: one that holds none of the names conforms. */
        PyObject *namespace = PyObject_CallOneArg(PyTuple_GET_ITEM(fast, 0), instance);
        if (namespace == NULL) {
            Py_DECREF(fast);
            return NULL;
        }
        int clean = 0;
        if (PyDict_CheckExact(namespace)) {
            clean = PyDict_GET_SIZE(namespace) ? holds_none_of(namespace, PyTuple_GET_ITEM(fast, 1)) : 1;
        }
        Py_DECREF(namespace);
        if (clean) {
            Py_DECREF(fast);
            return clean < 0 ? NULL : Py_NewRef(Py_True);
        }
        PyObject *function = Py_NewRef(PyTuple_GET_ITEM(fast, 2));
        Py_DECREF(fast);
        fast = function;
    }
    PyObject *verdict = PyObject_CallOneArg(fast, instance);
    Py_DECREF(fast);
    if (verdict == NULL) {
        return NULL;
    }
    if (verdict == Py_None) {
        Py_DECREF(verdict);
        return call2(self->full, cls, instance);
    }
    /* the plan's report, for a conforming instance */
    int ok = verdict != Py_False;
    Py_DECREF(verdict);
    return PyBool_FromLong(ok);
}

/* Bound to the class like a function, so that isinstance() passes (cls, instance). */
static PyObject *
hook_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
    if (obj == NULL || obj == Py_None) {
        return Py_NewRef(self);
    }
    return PyMethod_New(self, obj);
}

static int
hook_traverse(Hook *self, visitproc visit, void *arg)
{
    Py_VISIT(self->state);
    Py_VISIT(self->miss);
    Py_VISIT(self->full);
    return 0;
}

static int
hook_clear(Hook *self)
{
    Py_CLEAR(self->state);
    Py_CLEAR(self->miss);
    Py_CLEAR(self->full);
    return 0;
}

static void
hook_dealloc(Hook *self)
{
    PyObject_GC_UnTrack(self);
    hook_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
hook_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *state, *miss, *full;
    static char *keywords[] = {"state", "miss", "full", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OO:Hook", keywords, &PyDict_Type, &state, &miss, &full)) {
        return NULL;
    }
    Hook *self = (Hook *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->vectorcall = hook_vectorcall;
    self->state = Py_NewRef(state);
    self->miss = Py_NewRef(miss);
    self->full = Py_NewRef(full);
    return (PyObject *)self;
}

static PyObject *
speedups_identity(PyObject *module, PyObject *obj)
{
    return identity_key(obj);
}

static PyTypeObject HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "parsl_executor_protocol.checking._speedups.Hook",
    .tp_basicsize = sizeof(Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_doc = "isinstance() for the package's metaclass: the hit path of the engine's hook, in C.",
    .tp_new = hook_new,
    .tp_dealloc = (destructor)hook_dealloc,
    .tp_traverse = (traverseproc)hook_traverse,
    .tp_clear = (inquiry)hook_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(Hook, vectorcall),
    .tp_descr_get = hook_descr_get,
};

static PyMethodDef speedups_methods[] = {
    {"identity", speedups_identity, METH_O, "The identity key the hook computes for an object."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "parsl_executor_protocol.checking._speedups", "The engine's isinstance hook, in C.", -1,
    speedups_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&HookType) < 0) {
        return NULL;
    }
    s_recent = PyUnicode_InternFromString("recent_hooked");
    s_epoch = PyUnicode_InternFromString("epoch");
    s_hooked = PyUnicode_InternFromString("hooked");
    s_fast = PyUnicode_InternFromString("fast");
    if (!s_recent || !s_epoch || !s_hooked || !s_fast) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&HookType);
    if (PyModule_AddObject(module, "Hook", (PyObject *)&HookType) < 0) {
        Py_DECREF(&HookType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
