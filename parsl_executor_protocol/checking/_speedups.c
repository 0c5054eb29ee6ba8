/* The checking engine's isinstance hook, in C.
 *
 * A Python __instancecheck__ costs a bound method and a Python frame before it does
 * anything, 2-5x isinstance(x, object), and the plan's generated function a second frame;
 * this hook costs neither.  It looks the plan up as _engine._instancecheck does, step for
 * step, over the same state: it reads and replaces _cache.recent_hooked and reads
 * _cache.epoch and _cache.hooked through the cache module's __dict__, and keys the tables
 * with the identity _memo.identity gives.  It then applies the plan's native program
 * (Plan.native): the class's verdict, or the tests of the plan's generated function as data,
 * which _engine.native_program writes from the same members as the function, on first use
 * (see run()).  What
 * it does not settle goes to the Python functions it was given: a class it finds in no table
 * to _instancecheck_miss, an instance the program leaves open to _instancecheck_full.  The
 * quick tests of container values and of values typed with one of the package's protocols
 * are data too (_hints.native_vet; see passes()); a test of another kind is called.
 *
 * It holds the GIL from its first read to its store of the recent entry, and runs no
 * Python code in between (dict lookups with int keys, a tuple), so the epoch it reads
 * before the lookup is the one the entry is stored under, as in the Python hook.  It
 * holds a reference to what it uses across the calls that may run Python code (the dict
 * and slot readers, the vets): a collection there may drop the recent entry.
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
    PyObject *native; /* (plan) -> its native program, made on first use */
} Hook;

static PyObject *s_recent, *s_epoch, *s_hooked, *s_native;

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

/* What a __dict__ or slot reader gives for the instance, as a new reference: a getset or
 * member descriptor's __get__ (the program holds the descriptor, see _engine._native_reader),
 * or the reader called. */
static PyObject *
read_with(PyObject *reader, PyObject *instance)
{
    if (Py_IS_TYPE(reader, &PyGetSetDescr_Type) || Py_IS_TYPE(reader, &PyMemberDescr_Type)) {
        return Py_TYPE(reader)->tp_descr_get(reader, instance, NULL);
    }
    return PyObject_CallOneArg(reader, instance);
}

/* table[identity(obj)], borrowed, for a table that is a dict (the cache's tables are keyed by
 * identity): NULL when absent or not a dict, with an exception set only on an error. */
static PyObject *
entry_of(PyObject *table, PyObject *obj)
{
    if (table == NULL || !PyDict_CheckExact(table)) {
        return NULL;
    }
    PyObject *key = identity_key(obj);
    if (key == NULL) {
        return NULL;
    }
    PyObject *entry = PyDict_GetItemWithError(table, key);
    Py_DECREF(key);
    return entry;
}

/* Plan.native, made by the engine's native_program on first use; a new reference. */
static PyObject *
native_of(Hook *self, PyObject *plan)
{
    PyObject *native = PyObject_GetAttr(plan, s_native);
    if (native != Py_None) {
        return native;
    }
    Py_DECREF(native);
    Py_INCREF(plan);  /* the recent entry that holds it may go while the program is made */
    native = PyObject_CallOneArg(self->native, plan);
    Py_DECREF(plan);
    return native;
}

/* The plan's native program (Plan.native), as a new reference: Py_True or Py_False when the
 * class decides, else the tests of the plan's generated function as data (see run()).  NULL
 * with an exception set, or NULL with none when the class is in no table (the caller calls
 * miss). */
static PyObject *
lookup(Hook *self, PyObject *cls, PyObject *kind)
{
    PyObject *state = self->state;
    PyObject *recent = PyDict_GetItemWithError(state, s_recent);
    PyObject *epoch = recent ? PyDict_GetItemWithError(state, s_epoch) : NULL;
    if (epoch == NULL || !PyTuple_CheckExact(recent) || PyTuple_GET_SIZE(recent) != 5) {
        return NULL;
    }
    if (PyTuple_GET_ITEM(recent, 2) == kind && PyTuple_GET_ITEM(recent, 0) == cls
        && PyTuple_GET_ITEM(recent, 4) == epoch) {
        return native_of(self, PyTuple_GET_ITEM(recent, 3));
    }
    /* Owned from here: allocations below may start a collection, whose callbacks
     * (_cache._let_go, _cache._forget) replace the recent entry and drop table entries. */
    Py_INCREF(recent);
    Py_INCREF(epoch);
    PyObject *native = NULL, *plan;
    PyObject *table = PyTuple_GET_ITEM(recent, 0) == cls ? PyTuple_GET_ITEM(recent, 1)
                                                          : entry_of(PyDict_GetItemWithError(state, s_hooked), cls);
    if (table == NULL || !PyDict_CheckExact(table)) {
        goto done;
    }
    Py_INCREF(table);
    plan = entry_of(table, kind);
    Py_XINCREF(plan);
    if (plan != NULL) {
        PyObject *entry = PyTuple_Pack(5, cls, table, kind, plan, epoch);
        if (entry != NULL) {
            if (PyDict_SetItem(state, s_recent, entry) == 0) {
                native = native_of(self, plan);
            }
            Py_DECREF(entry);
        }
        Py_DECREF(plan);
    }
    Py_DECREF(table);
done:
    Py_DECREF(recent);
    Py_DECREF(epoch);
    return native;
}

/* The codes of the tests _hints.native_vet writes as data (_hints.NATIVE_*). */
enum { NATIVE_PROTOCOL = 1, NATIVE_MAPPING, NATIVE_SEQUENCE, NATIVE_ANY, NATIVE_AMONG, NATIVE_INHERITS, NATIVE_NEVER };

static PyObject *run(Hook *self, PyObject *program, PyObject *instance);

/* What the engine's _nested_instancecheck answers for a value annotated with one of the
 * package's protocols: the plan of the value's class, found without touching the recent
 * entry, applied; the Python check (`fallback`) where that cannot tell. */
static int
protocol_passes(Hook *self, PyObject *protocol, PyObject *value, PyObject *fallback)
{
    PyObject *table = entry_of(PyDict_GetItemWithError(self->state, s_hooked), protocol);
    PyObject *plan = table == NULL ? NULL : entry_of(table, (PyObject *)Py_TYPE(value));
    if (PyErr_Occurred()) {
        return -1;
    }
    if (plan != NULL) {
        Py_INCREF(plan);
        PyObject *native = native_of(self, plan);
        Py_DECREF(plan);
        if (native == NULL) {
            return -1;
        }
        PyObject *verdict = native;
        if (PyTuple_CheckExact(native) && PyTuple_GET_SIZE(native) == 6) {
            if (Py_EnterRecursiveCall(" in isinstance")) {
                Py_DECREF(native);
                return -1;
            }
            verdict = run(self, native, value);
            Py_LeaveRecursiveCall();
            Py_DECREF(native);
        }
        if (verdict == NULL) {
            return -1;
        }
        int settled = verdict != Py_None, ok = verdict != Py_False;
        Py_DECREF(verdict);
        if (settled) {
            return ok;
        }
    }
    PyObject *verdict = PyObject_CallOneArg(fallback, value);
    if (verdict == NULL) {
        return -1;
    }
    int ok = PyObject_IsTrue(verdict);
    Py_DECREF(verdict);
    return ok;
}

/* Whether a value passes a test: 1 yes, 0 no, -1 an exception.  `test` is None (every value
 * passes), a tuple _hints.native_vet wrote (the same test as data), or a callable. */
static int
passes(Hook *self, PyObject *test, PyObject *value)
{
    if (test == Py_None) {
        return 1;
    }
    if (!PyTuple_CheckExact(test) || PyTuple_GET_SIZE(test) < 1) {
        PyObject *verdict = PyObject_CallOneArg(test, value);
        if (verdict == NULL) {
            return -1;
        }
        int ok = PyObject_IsTrue(verdict);
        Py_DECREF(verdict);
        return ok;
    }
    long code = PyLong_AsLong(PyTuple_GET_ITEM(test, 0));
    Py_ssize_t size = PyTuple_GET_SIZE(test);
    int ok;
    if (code == NATIVE_PROTOCOL && size == 3) {
        return protocol_passes(self, PyTuple_GET_ITEM(test, 1), value, PyTuple_GET_ITEM(test, 2));
    }
    if (code == NATIVE_MAPPING && size == 3) {
        /* a plain dict, empty or whose first item passes (_hints._vet_mapping) */
        PyObject *key, *item;
        Py_ssize_t position = 0;
        if (!PyDict_CheckExact(value)) {
            return 0;
        }
        if (!PyDict_Next(value, &position, &key, &item)) {
            return 1;
        }
        Py_INCREF(key);
        Py_INCREF(item);
        ok = passes(self, PyTuple_GET_ITEM(test, 1), key);
        if (ok == 1) {
            ok = passes(self, PyTuple_GET_ITEM(test, 2), item);
        }
        Py_DECREF(key);
        Py_DECREF(item);
        return ok;
    }
    if (code == NATIVE_SEQUENCE && size == 2) {
        /* a plain list, empty or whose first item passes (_hints._vet_sequence) */
        if (!PyList_CheckExact(value)) {
            return 0;
        }
        if (PyList_GET_SIZE(value) == 0) {
            return 1;
        }
        PyObject *item = Py_NewRef(PyList_GET_ITEM(value, 0));
        ok = passes(self, PyTuple_GET_ITEM(test, 1), item);
        Py_DECREF(item);
        return ok;
    }
    if (code == NATIVE_ANY && size == 2 && PyTuple_CheckExact(PyTuple_GET_ITEM(test, 1))) {
        PyObject *tests = PyTuple_GET_ITEM(test, 1);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tests); i++) {
            if ((ok = passes(self, PyTuple_GET_ITEM(tests, i), value)) != 0) {
                return ok;
            }
        }
        return 0;
    }
    if (code == NATIVE_AMONG && size == 2) {
        PyObject *key = identity_key((PyObject *)Py_TYPE(value));
        if (key == NULL) {
            return -1;
        }
        ok = PySet_Contains(PyTuple_GET_ITEM(test, 1), key);
        Py_DECREF(key);
        return ok;
    }
    if (code == NATIVE_INHERITS && size == 2 && PyType_Check(PyTuple_GET_ITEM(test, 1))) {
        return PyType_IsSubtype(Py_TYPE(value), (PyTypeObject *)PyTuple_GET_ITEM(test, 1));
    }
    if (code == NATIVE_NEVER) {
        return 0;
    }
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_SystemError, "a quick test the C hook does not know");
    }
    return -1;
}

/* Whether a value passes a member's test: 1 yes, 0 no (the full evaluation decides), -1 an
 * exception.  `accepted` is None (no test), a tuple of the types accepted outright (compared
 * by identity) or a frozenset of their identities; a value of another type passes if `vet`
 * (None: none does) passes it.  _engine._unaccepted writes the same test as Python. */
static int
accepts(Hook *self, PyObject *value, PyObject *accepted, PyObject *vet)
{
    if (accepted == Py_None) {
        return 1;
    }
    PyObject *kind = (PyObject *)Py_TYPE(value);
    if (PyTuple_CheckExact(accepted)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(accepted); i++) {
            if (PyTuple_GET_ITEM(accepted, i) == kind) {
                return 1;
            }
        }
    }
    else {
        PyObject *key = identity_key(kind);
        if (key == NULL) {
            return -1;
        }
        int found = PySet_Contains(accepted, key);
        Py_DECREF(key);
        if (found) {
            return found;
        }
    }
    return vet == Py_None ? 0 : passes(self, vet, value);
}

/* A member of the __dict__ (a new reference) or NULL: absent, with no exception set. */
static PyObject *
member_of(PyObject *namespace, PyObject *name)
{
    PyObject *value = PyDict_GetItemWithError(namespace, name);
    Py_XINCREF(value);
    return value;
}

/* The plan's generated function, run as data: the plan's report (a conforming instance),
 * Py_False or Py_None (the full evaluation decides), as a new reference; NULL only for an
 * exception that is not an Exception.  The steps and their order are the function's (see
 * _engine._factory): the __dict__'s required members (absent: False), then, unless it holds
 * only those, the watched names (present: None) and the optional members, then the slots
 * (unassigned: False if needed).  As there, a KeyError among the required members means
 * False and any other Exception means None.
 *
 * program: (ok, read_dict, ((name, accepted, vet), ...) required, (name, ...) watched,
 *           ((name, accepted, vet), ...) optional, ((reader, accepted, vet, needed), ...) slots) */
static PyObject *
run(Hook *self, PyObject *program, PyObject *instance)
{
    PyObject *required = PyTuple_GET_ITEM(program, 2), *watched = PyTuple_GET_ITEM(program, 3);
    PyObject *optional = PyTuple_GET_ITEM(program, 4), *slots = PyTuple_GET_ITEM(program, 5);
    PyObject *namespace = NULL, *verdict = Py_None, *value;
    int ok;
    if (PyTuple_GET_SIZE(required) || PyTuple_GET_SIZE(watched) || PyTuple_GET_SIZE(optional)) {
        namespace = read_with(PyTuple_GET_ITEM(program, 1), instance);
        if (namespace == NULL) {
            goto failed;
        }
        if (!PyDict_CheckExact(namespace)) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(required); i++) {
            PyObject *member = PyTuple_GET_ITEM(required, i);
            value = member_of(namespace, PyTuple_GET_ITEM(member, 0));
            if (value == NULL) {
                if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_KeyError)) {
                    goto failed;
                }
                PyErr_Clear();
                verdict = Py_False;
                goto done;
            }
            ok = accepts(self, value, PyTuple_GET_ITEM(member, 1), PyTuple_GET_ITEM(member, 2));
            Py_DECREF(value);
            if (ok < 0) {
                if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                    goto failed;
                }
                PyErr_Clear();
                verdict = Py_False;
                goto done;
            }
            if (!ok) {
                goto done;
            }
        }
        if (PyDict_GET_SIZE(namespace) != PyTuple_GET_SIZE(required)) {
            /* The optional members first: a __dict__ that holds only them besides the required
             * ones holds none of the watched names, which then need no lookup.  The generated
             * function looks the watched names up first; either order answers None when one is
             * present or an optional value fails its test, and the plan's report otherwise. */
            Py_ssize_t present = 0;
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(optional); i++) {
                PyObject *member = PyTuple_GET_ITEM(optional, i);
                ok = PyDict_Contains(namespace, PyTuple_GET_ITEM(member, 0));
                if (ok <= 0) {
                    if (ok < 0) {
                        goto failed;
                    }
                    continue;
                }
                present++;
                if ((value = member_of(namespace, PyTuple_GET_ITEM(member, 0))) == NULL) {
                    if (!PyErr_Occurred()) {
                        PyErr_SetObject(PyExc_KeyError, PyTuple_GET_ITEM(member, 0));
                    }
                    goto failed;
                }
                ok = accepts(self, value, PyTuple_GET_ITEM(member, 1), PyTuple_GET_ITEM(member, 2));
                Py_DECREF(value);
                if (ok <= 0) {
                    if (ok < 0) {
                        goto failed;
                    }
                    goto done;
                }
            }
            if (PyDict_GET_SIZE(namespace) != PyTuple_GET_SIZE(required) + present) {
                for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(watched); i++) {
                    ok = PyDict_Contains(namespace, PyTuple_GET_ITEM(watched, i));
                    if (ok) {
                        if (ok < 0) {
                            goto failed;
                        }
                        goto done;
                    }
                }
            }
        }
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(slots); i++) {
        PyObject *slot = PyTuple_GET_ITEM(slots, i);
        value = read_with(PyTuple_GET_ITEM(slot, 0), instance);
        if (value == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                goto failed;
            }
            PyErr_Clear();
            if (PyObject_IsTrue(PyTuple_GET_ITEM(slot, 3))) {
                verdict = Py_False;
                goto done;
            }
            continue;
        }
        ok = accepts(self, value, PyTuple_GET_ITEM(slot, 1), PyTuple_GET_ITEM(slot, 2));
        Py_DECREF(value);
        if (ok <= 0) {
            if (ok < 0) {
                goto failed;
            }
            goto done;
        }
    }
    verdict = PyTuple_GET_ITEM(program, 0);
    goto done;
failed:
    if (!PyErr_ExceptionMatches(PyExc_Exception)) {
        Py_XDECREF(namespace);
        return NULL;
    }
    PyErr_Clear();
    verdict = Py_None;
done:
    Py_XDECREF(namespace);
    return Py_NewRef(verdict);
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
    PyObject *native = lookup(self, cls, (PyObject *)Py_TYPE(instance));
    if (native == NULL) {
        return PyErr_Occurred() ? NULL : call2(self->miss, cls, instance);
    }
    if (native == Py_True || native == Py_False) {
        return native;
    }
    if (!PyTuple_CheckExact(native) || PyTuple_GET_SIZE(native) != 6) {
        Py_DECREF(native);
        PyErr_SetString(PyExc_SystemError, "a plan's native program is not one this hook runs");
        return NULL;
    }
    PyObject *verdict = run(self, native, instance);
    Py_DECREF(native);
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
    Py_VISIT(self->native);
    return 0;
}

static int
hook_clear(Hook *self)
{
    Py_CLEAR(self->state);
    Py_CLEAR(self->miss);
    Py_CLEAR(self->full);
    Py_CLEAR(self->native);
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
    PyObject *state, *miss, *full, *native;
    static char *keywords[] = {"state", "miss", "full", "native", NULL};
    if (!PyArg_ParseTupleAndKeywords(
            args, kwds, "O!OOO:Hook", keywords, &PyDict_Type, &state, &miss, &full, &native)) {
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
    self->native = Py_NewRef(native);
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
    s_native = PyUnicode_InternFromString("native");
    if (!s_recent || !s_epoch || !s_hooked || !s_native) {
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
