/* The checking engine's isinstance hook, in C.
 *
 * A Python __instancecheck__ costs a bound method and a Python frame before it does
 * anything, 2-5x isinstance(x, object), and the plan's generated function a second frame;
 * this hook costs neither: it keeps itself bound to the classes it was last looked up on
 * (hook_descr_get), and runs the plan's tests as data.  It looks the plan up as
 * _engine._instancecheck does, step for step, over the same state: it reads and replaces
 * _cache.recent_hooked and reads _cache.epoch and _cache.hooked through the cache module's
 * __dict__, and keys the tables with the identity _memo.identity gives.  It then applies the
 * plan's native program (Plan.native): the class's verdict, or the tests of the plan's
 * generated function as data, which _engine.native_program writes from the same members as
 * the function, on first use (see run()).  What
 * it does not settle goes to the Python functions it was given: a class it finds in no table
 * to _instancecheck_miss, an instance the program leaves open to _instancecheck_full.  The
 * quick tests of container values and of values typed with one of the package's protocols
 * are data too (_hints.native_vet; see passes()); a test of another kind is called.
 *
 * The tests that compare a value's type with the types a member accepts run no Python code,
 * so they are made on values borrowed from the __dict__ as it is read, and from the slots in
 * place (quick(), peek_slot()); only a value whose vet decides is held.
 *
 * It holds the GIL from its first read to its store of the recent entry, and runs no
 * Python code in between (dict lookups with int keys, a tuple), so the epoch it reads
 * before the lookup is the one the entry is stored under, as in the Python hook.  It
 * holds a reference to what it uses across the calls that may run Python code (the dict
 * and slot readers, the vets): a collection there may drop the recent entry.
 *
 * Four memos spare it lookups, each valid only while what it borrows from cannot have
 * changed: the last recent entry and its program, while the cache module's __dict__ keeps
 * its version (dict_version(); lookup()), and _cache.busy and _cache.hooked under the same
 * condition (state_parts()); the last plan applied to a protocol-typed value,
 * while the hooked tables and the protocol's table keep theirs (protocol_passes()); and the
 * keys of the last conforming __dict__ of a plan's instances, compared by identity, with
 * their places in order and, for a split __dict__, their indices (learn(), gather()).  A program is set on its plan once (_engine.native_program), so a plan that
 * is still held holds the program borrowed from it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <structmember.h> /* T_OBJECT_EX, READONLY: the names 3.10 and 3.11 know */

/* Inlined into the loops over members, which call them once per member. */
#if defined(__GNUC__) || defined(__clang__)
#define PER_MEMBER static inline __attribute__((always_inline))
#else
#define PER_MEMBER static inline
#endif

#define BOUND_SLOTS 16

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *state;  /* the cache module's __dict__ */
    PyObject *miss;   /* (cls, instance) -> bool: a class found in no table */
    PyObject *full;   /* (cls, instance) -> bool: the full evaluation */
    PyObject *native; /* (plan) -> its native program, made on first use */
    /* The last recent entry this hook found valid and its plan's native program, borrowed: the
     * cache module's __dict__ holds the entry, the entry its plan and the plan the program, for
     * as long as that __dict__ keeps the version it had then (see lookup()). */
    uint64_t seen_version;
    PyObject *seen_recent, *seen_native;
    /* _cache.busy and _cache.hooked as that __dict__ held them at version parts_version, borrowed
     * (see state_parts()). */
    uint64_t parts_version;
    PyObject *busy, *hooked;
    /* The hook bound to the classes it was last looked up on (hook_descr_get), one per slot of
     * a class's address, so that isinstance() finds it instead of binding it anew each time. */
    PyObject *bound[BOUND_SLOTS];
} Hook;

/* The hook bound to one class, as a bound method would be, but kept by the hook; it refers
 * to its class weakly, so that the hook's slots keep no class alive. */
typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *hook;
    PyObject *ref; /* a weak reference to the class */
    PyObject *cls; /* the class's address when bound: compared, never used as an object */
} Bound;

static PyTypeObject BoundType;
static PyObject *s_recent, *s_epoch, *s_hooked, *s_native, *s_busy;

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

/* The version of a dict (PEP 509), which changes whenever the dict does, and is never the same
 * for two states of two dicts; 0 where CPython no longer keeps it (3.14). */
static uint64_t
dict_version(PyObject *dict)
{
#if PY_VERSION_HEX < 0x030E0000
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    return ((PyDictObject *)dict)->ma_version_tag;
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#else
    (void)dict;
    return 0;
#endif
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
    uint64_t version = dict_version(state);
    if (version && version == self->seen_version && PyTuple_GET_ITEM(self->seen_recent, 2) == kind
        && PyTuple_GET_ITEM(self->seen_recent, 0) == cls) {
        return Py_NewRef(self->seen_native);
    }
    PyObject *recent = PyDict_GetItemWithError(state, s_recent);
    PyObject *epoch = recent ? PyDict_GetItemWithError(state, s_epoch) : NULL;
    if (epoch == NULL || !PyTuple_CheckExact(recent) || PyTuple_GET_SIZE(recent) != 5) {
        return NULL;
    }
    if (PyTuple_GET_ITEM(recent, 2) == kind && PyTuple_GET_ITEM(recent, 0) == cls
        && PyTuple_GET_ITEM(recent, 4) == epoch) {
        PyObject *native = native_of(self, PyTuple_GET_ITEM(recent, 3));
        if (native != NULL) {
            /* Under the version read before the entry: if making the program changed the
             * __dict__, the version no longer matches and nothing borrowed here is used. */
            self->seen_version = version;
            self->seen_recent = recent;
            self->seen_native = native;
        }
        return native;
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
/* Those codes as the ints they are written with: small ints, which CPython makes once, so that a
 * test's code is found by identity (code_of()). */
static PyObject *s_codes[NATIVE_NEVER + 1];

/* The code of a test: compared by identity with the known ones first, read only otherwise. */
PER_MEMBER long
code_of(PyObject *code)
{
    for (long known = NATIVE_PROTOCOL; known <= NATIVE_NEVER; known++) {
        if (s_codes[known] == code) {
            return known;
        }
    }
    return PyLong_AsLong(code);
}

/* How deep the hook follows protocol-typed values (a value's member typed with a protocol,
 * and so on) in C: deeper ones, and cycles, go to the Python check (protocol_passes()), whose
 * frames the interpreter's recursion limit bounds.  Each level costs a few C frames, and the C
 * recursion limit of 3.12+ allows more of them than a thread's stack holds.  Below
 * _cache.NESTING_LIMIT (a test holds it there), so that the Python check alone stops at it. */
#define NATIVE_DEPTH 32

static PyObject *run(Hook *self, PyObject *program, PyObject *instance, int depth);

/* What protocol_passes() keeps of its last lookup, in the bytearray of its test (_hints'
 * NATIVE_MEMO_SIZE bytes): the hooked tables and the protocol's table with their versions, the
 * class of the value, and the program of its plan, all borrowed.  While both versions hold,
 * the table is the protocol's and still holds the plan, and the plan its program (set once):
 * a class that dies leaves the table (_cache._forget) before its address can be reused. */
typedef struct {
    uint64_t hooked_version, table_version;
    PyObject *table;
    PyTypeObject *kind;
    PyObject *native;
} Memo;

/* What the engine's _nested_instancecheck answers for a value annotated with one of the
 * package's protocols: the plan of the value's class, found without touching the recent
 * entry, applied; the Python check (`fallback`) where that cannot tell.
 * test: (NATIVE_PROTOCOL, protocol, fallback, memo) */
/* _cache.busy and _cache.hooked, borrowed from the cache module's __dict__, which holds them: looked
 * up again only once that __dict__ has changed (its version), as they are rebound rarely (each
 * is NULL when absent).  0, or -1 with an exception set. */
static int
state_parts(Hook *self, PyObject **busy, PyObject **hooked)
{
    uint64_t version = dict_version(self->state);
    if (!version || version != self->parts_version) {
        /* str keys: the lookups run no Python code, so the version read before them holds */
        PyObject *found_busy = PyDict_GetItemWithError(self->state, s_busy);
        PyObject *found_hooked = found_busy != NULL || !PyErr_Occurred() ? PyDict_GetItemWithError(self->state, s_hooked) : NULL;
        if (PyErr_Occurred()) {
            return -1;
        }
        self->parts_version = version;
        self->busy = found_busy;
        self->hooked = found_hooked;
    }
    *busy = self->busy;
    *hooked = self->hooked;
    return 0;
}

/* Whether a check in Python is under way on this thread (its cycle stack holds entries): 1 yes,
 * 0 no, -1 an exception.  _cache.busy holds the threads with entries, by threading.get_ident():
 * empty, as it is unless a check in Python calls isinstance(), it answers with no lookup. */
static int
python_check_under_way(PyObject *busy)
{
    if (busy == NULL || !PyDict_CheckExact(busy)) {
        return busy != NULL;
    }
    if (PyDict_GET_SIZE(busy) == 0) {
        return 0;
    }
    Py_INCREF(busy); /* borrowed until the allocation below, which may start a collection */
    PyObject *ident = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
    int found = ident == NULL ? -1 : PyDict_Contains(busy, ident);
    Py_XDECREF(ident);
    Py_DECREF(busy);
    return found;
}

static int
protocol_passes(Hook *self, PyObject *test, PyObject *value, int depth)
{
    PyObject *protocol = PyTuple_GET_ITEM(test, 1), *fallback = PyTuple_GET_ITEM(test, 2);
    PyObject *memo = PyTuple_GET_ITEM(test, 3), *native = NULL, *table = NULL;
    Memo *last = PyByteArray_CheckExact(memo) && PyByteArray_GET_SIZE(memo) >= (Py_ssize_t)sizeof(Memo)
                     ? (Memo *)PyByteArray_AS_STRING(memo)
                     : NULL;
    if (depth >= NATIVE_DEPTH) {
        goto in_python;
    }
    PyObject *busy_threads, *hooked;
    if (depth == 0) {
        /* Inside a check in Python, the levels above this value are counted on its stack, which
         * this value enters too: the Python check follows it, as the pure-Python hook would. */
        if (state_parts(self, &busy_threads, &hooked) < 0) {
            return -1;
        }
        int busy = python_check_under_way(busy_threads);
        if (busy) {
            if (busy < 0) {
                return -1;
            }
            goto in_python;
        }
    }
    /* (Again after that test, whose allocation may start a collection that rebinds them.) */
    if (state_parts(self, &busy_threads, &hooked) < 0) {
        return -1;
    }
    uint64_t hooked_version = hooked != NULL && PyDict_CheckExact(hooked) ? dict_version(hooked) : 0;
    if (last != NULL && hooked_version && hooked_version == last->hooked_version
        && dict_version(last->table) == last->table_version && last->kind == Py_TYPE(value)) {
        native = Py_NewRef(last->native);
    }
    else {
        table = entry_of(hooked, protocol);
        uint64_t table_version = table != NULL && PyDict_CheckExact(table) ? dict_version(table) : 0;
        PyObject *plan = table == NULL ? NULL : entry_of(table, (PyObject *)Py_TYPE(value));
        if (PyErr_Occurred()) {
            return -1;
        }
        if (plan != NULL) {
            Py_INCREF(plan);
            native = native_of(self, plan);
            Py_DECREF(plan);
            if (native == NULL) {
                return -1;
            }
            if (last != NULL && hooked_version && table_version) {
                /* The versions read before the lookups: if making the program changed either
                 * dict, they no longer match and nothing borrowed here is used. */
                *last = (Memo){hooked_version, table_version, table, Py_TYPE(value), native};
            }
        }
    }
    if (native != NULL) {
        PyObject *verdict = native;
        if (PyTuple_CheckExact(native) && PyTuple_GET_SIZE(native) == 8) {
            if (Py_EnterRecursiveCall(" in isinstance")) {
                Py_DECREF(native);
                return -1;
            }
            verdict = run(self, native, value, depth + 1);
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
in_python:;
    /* The Python check, told how many levels the hook followed above this value: it lies as
     * deep as if the Python hook had entered each of them (see _cache.enter). */
    PyObject *args[2] = {value, NULL}, *verdict;
    if (depth > 0) {
        if ((args[1] = PyLong_FromLong(depth)) == NULL) {
            return -1;
        }
        verdict = PyObject_Vectorcall(fallback, args, 2, NULL);
        Py_DECREF(args[1]);
    }
    else {
        verdict = PyObject_Vectorcall(fallback, args, 1, NULL);
    }
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
passes(Hook *self, PyObject *test, PyObject *value, int depth)
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
    long code = code_of(PyTuple_GET_ITEM(test, 0));
    Py_ssize_t size = PyTuple_GET_SIZE(test);
    int ok;
    if (code == NATIVE_PROTOCOL && size == 4) {
        return protocol_passes(self, test, value, depth);
    }
    if (code == NATIVE_MAPPING && size == 3) {
        /* a plain dict, empty or whose first item passes (_hints._vet_mapping) */
        PyObject *key, *item;
        Py_ssize_t position = 0;
        if (!PyDict_CheckExact(value)) {
            return 0;
        }
        if (PyDict_GET_SIZE(value) == 0 || !PyDict_Next(value, &position, &key, &item)) {
            return 1;
        }
        Py_INCREF(key);
        Py_INCREF(item);
        ok = passes(self, PyTuple_GET_ITEM(test, 1), key, depth);
        if (ok == 1) {
            ok = passes(self, PyTuple_GET_ITEM(test, 2), item, depth);
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
        ok = passes(self, PyTuple_GET_ITEM(test, 1), item, depth);
        Py_DECREF(item);
        return ok;
    }
    if (code == NATIVE_ANY && size == 2 && PyTuple_CheckExact(PyTuple_GET_ITEM(test, 1))) {
        PyObject *tests = PyTuple_GET_ITEM(test, 1);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tests); i++) {
            if ((ok = passes(self, PyTuple_GET_ITEM(tests, i), value, depth)) != 0) {
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

/* A member's test of a value, but for its vet: 1 the value passes, 0 it fails (the full
 * evaluation decides), 2 its vet decides, -1 an exception.  `member` is a program's
 * (name-or-reader, accepted, vet, ...): `accepted` is None (no test), a tuple of the types
 * accepted outright (compared by identity) or a frozenset of their identities; a value of
 * another type is left to `vet` (None: none passes).  It runs no Python code (ints are
 * hashed and compared), so a value borrowed from a __dict__ or a slot stays valid across it.
 * _engine._unaccepted writes the same test as Python. */
PER_MEMBER int
quick(PyObject *value, PyObject *member)
{
    PyObject *accepted = PyTuple_GET_ITEM(member, 1);
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
    return PyTuple_GET_ITEM(member, 2) == Py_None ? 0 : 2;
}

/* The value of the instance's slot that a plain member descriptor (a __slots__ name) reads,
 * read in place, borrowed: NULL when the slot is unassigned.  *direct is 0 when the reader is
 * no such descriptor (one that audits its reads, or of another layout), which is then to be
 * called (read_with()). */
PER_MEMBER PyObject *
peek_slot(PyObject *reader, PyObject *instance, int *direct)
{
    *direct = 0;
#ifndef Py_GIL_DISABLED
    if (Py_IS_TYPE(reader, &PyMemberDescr_Type)) {
        PyMemberDescrObject *descriptor = (PyMemberDescrObject *)reader;
        PyMemberDef *member = descriptor->d_member;
        if (member->type == T_OBJECT_EX && (member->flags & ~READONLY) == 0
            && PyObject_TypeCheck(instance, descriptor->d_common.d_type)) {
            *direct = 1;
            return *(PyObject **)((char *)instance + member->offset);
        }
    }
#endif
    return NULL;
}

/* The place of a watched name in a program's places, and the place written in a layout for a
 * key that is neither a member nor watched (_engine.WATCHED_PLACE). */
#define WATCHED_PLACE 255
#define OTHER_PLACE 254
/* Members a program's dict part may gather on the stack; more are allocated. */
#define STACK_MEMBERS 32
/* Accepted types a step of a layout compares in place; a member that accepts more, or a set of
 * them, is tested by quick(). */
#define STEP_TYPES 4

/* How a step of a layout tests the value of its key: not at all (a key of no member, or a member
 * that accepts any value), its type against the types kept, or quick(). */
enum { STEP_PASS, STEP_TYPES_ONLY, STEP_QUICK };

/* The program's (name, accepted, vet) at place `at`: the required members', then the optional. */
PER_MEMBER PyObject *
member_at(PyObject *required, PyObject *optional, Py_ssize_t at)
{
    Py_ssize_t nreq = PyTuple_GET_SIZE(required);
    return at < nreq ? PyTuple_GET_ITEM(required, at) : PyTuple_GET_ITEM(optional, at - nreq);
}

/* One key of a learnt layout and the test of the member it names, made ready to apply: what
 * quick() reads from the member's tuples, read once.  Borrowed: the layout holds the key and
 * its program the member and its accepted types; a layout is applied only with its program. */
typedef struct {
    PyObject *key;
    PyObject *member;                /* the program's (name, accepted, vet); NULL: a key of no member */
    PyTypeObject *types[STEP_TYPES]; /* STEP_TYPES_ONLY: the types accepted, NULL past the last */
    Py_ssize_t at;                   /* the member's place */
    Py_ssize_t index;                /* where a split __dict__ keeps the key and its value */
    int how;                         /* STEP_*: no member, none tested, types, quick() */
    int vetted;                      /* a value of another type goes to the member's vet */
} Step;

/* A layout's bytes: this head, then one step per key. */
typedef struct {
    int in_place;    /* learnt from a split __dict__: the steps' indices locate its values */
    Py_ssize_t last; /* the largest of those indices */
} Head;

/* A split __dict__ (an instance's, whose keys its class shares) read in place, as CPython's own
 * PyDict_Next reads it, 3.11 to 3.13: the keys the class shares, in order of their first
 * assignment, and the instance's values at the same indices, NULL where it has none.  The
 * structures are CPython's (Include/internal/pycore_dict.h: struct _dictkeysobject,
 * PyDictUnicodeEntry, struct _dictvalues), which its ABI keeps within a minor version; learn()
 * checks what it reads this way against PyDict_Next before a layout relies on it. */
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define IN_PLACE 1
typedef struct {
    Py_ssize_t dk_refcnt;
    uint8_t dk_log2_size, dk_log2_index_bytes, dk_kind;
    uint32_t dk_version;
    Py_ssize_t dk_usable, dk_nentries;
    char dk_indices[];
} SharedKeys;
typedef struct {
    PyObject *me_key, *me_value;
} KeyEntry;
typedef struct {
#if PY_VERSION_HEX >= 0x030D0000
    uint8_t capacity, size, embedded, valid;
#endif
    PyObject *values[1];
} SplitValues;

/* The split __dict__'s values by index and its keys' entries, with their number; 0 for a
 * __dict__ that is not split. */
PER_MEMBER Py_ssize_t
split_parts(PyObject *namespace, PyObject *const **values, const KeyEntry **entries)
{
    PyDictObject *dict = (PyDictObject *)namespace;
    if (dict->ma_values == NULL) {
        return 0;
    }
    const SharedKeys *keys = (const SharedKeys *)dict->ma_keys;
    *values = ((const SplitValues *)dict->ma_values)->values;
    *entries = (const KeyEntry *)(keys->dk_indices + ((size_t)1 << keys->dk_log2_index_bytes));
    return keys->dk_nentries;
}
#endif

/* Learns the layout of a __dict__ that gather() found conforming, when it can: its keys in order
 * (each an exact str, so that identity stands for equality), then a head and their steps, as
 * bytes.  A __dict__ that differs from the last one learnt replaces it, so instances of one class
 * that set different members alternate layouts rather than miss forever.  Only memory errors. */
static int
learn(PyObject *program, PyObject *namespace)
{
    PyObject *required = PyTuple_GET_ITEM(program, 2), *optional = PyTuple_GET_ITEM(program, 4);
    PyObject *places = PyTuple_GET_ITEM(program, 6), *cell = PyTuple_GET_ITEM(program, 7);
    Py_ssize_t nreq = PyTuple_GET_SIZE(required), nopt = PyTuple_GET_SIZE(optional);
    Py_ssize_t size = PyDict_GET_SIZE(namespace), position = 0, i = 0;
    PyObject *key, *value;
    if (!PyDict_CheckExact(places) || !PyList_CheckExact(cell) || PyList_GET_SIZE(cell) != 1) {
        return 0;
    }
    PyObject *layout = PyTuple_New(size + 1);
    PyObject *bytes = layout ? PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(sizeof(Head) + size * sizeof(Step))) : NULL;
    if (bytes == NULL) {
        Py_XDECREF(layout);
        return -1;
    }
    Head *head = (Head *)PyBytes_AS_STRING(bytes);
    Step *steps = (Step *)(head + 1);
    PyTuple_SET_ITEM(layout, size, bytes);
    head->in_place = 0;
    head->last = -1;
#ifdef IN_PLACE
    PyObject *const *values = NULL;
    const KeyEntry *entries = NULL;
    Py_ssize_t nentries = split_parts(namespace, &values, &entries);
    head->in_place = nentries > 0;
#endif
    while (i < size && PyDict_Next(namespace, &position, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            Py_DECREF(layout);
            return 0;
        }
        PyObject *found = PyDict_GetItemWithError(places, key);
        long number = found == NULL ? OTHER_PLACE : PyLong_AsLong(found);
        if (number < 0 || number >= WATCHED_PLACE) {
            Py_DECREF(layout);
            PyErr_Clear();
            return 0;
        }
        Step *step = &steps[i];
        memset(step, 0, sizeof *step);
        step->key = key;
        step->at = number;
        step->index = -1;
        step->how = STEP_PASS;
#ifdef IN_PLACE
        for (Py_ssize_t j = 0; head->in_place && j < nentries; j++) {
            if (entries[j].me_key == key) {
                step->index = j;
                break;
            }
        }
        if (step->index < 0 || values[step->index] != value) {
            head->in_place = 0;  /* not where PyDict_Next found it: the pass reads the __dict__ in order */
        }
        else if (step->index > head->last) {
            head->last = step->index;
        }
#endif
        if (number < nreq + nopt) {
            PyObject *member = member_at(required, optional, number);
            PyObject *accepted = PyTuple_GET_ITEM(member, 1);
            step->member = member;
            step->vetted = PyTuple_GET_ITEM(member, 2) != Py_None;
            if (accepted == Py_None) {
                step->how = STEP_PASS;
            }
            else if (PyTuple_CheckExact(accepted) && PyTuple_GET_SIZE(accepted) <= STEP_TYPES) {
                step->how = STEP_TYPES_ONLY;
                for (Py_ssize_t t = 0; t < PyTuple_GET_SIZE(accepted); t++) {
                    step->types[t] = (PyTypeObject *)PyTuple_GET_ITEM(accepted, t);
                }
            }
            else {
                step->how = STEP_QUICK;
            }
        }
        PyTuple_SET_ITEM(layout, i, Py_NewRef(key));
        i++;
    }
    if (i != size) {
        Py_DECREF(layout);
        return 0;
    }
    return PyList_SetItem(cell, 0, layout);  /* steals; the layout it replaces holds only strs and bytes */
}

/* Whether the layout the program learnt last reads a split __dict__ in place: a test's view. */
static PyObject *
speedups_reads_in_place(PyObject *module, PyObject *program)
{
    PyObject *cell = PyTuple_CheckExact(program) && PyTuple_GET_SIZE(program) == 8 ? PyTuple_GET_ITEM(program, 7) : NULL;
    PyObject *layout = cell != NULL && PyList_CheckExact(cell) && PyList_GET_SIZE(cell) == 1 ? PyList_GET_ITEM(cell, 0) : NULL;
    PyObject *bytes = layout != NULL && PyTuple_CheckExact(layout) && PyTuple_GET_SIZE(layout) >= 1
                          ? PyTuple_GET_ITEM(layout, PyTuple_GET_SIZE(layout) - 1)
                          : NULL;
    if (bytes == NULL || !PyBytes_CheckExact(bytes) || PyBytes_GET_SIZE(bytes) < (Py_ssize_t)sizeof(Head)) {
        Py_RETURN_NONE;
    }
    return PyBool_FromLong(((const Head *)PyBytes_AS_STRING(bytes))->in_place);
}

/* The members whose values gather() leaves to their vets: their places in ascending order (the
 * order of the program's members, in which run() applies the vets) and, by place, a reference to
 * each value. */
typedef struct {
    PyObject **values;
    Py_ssize_t *at;
    Py_ssize_t count;
} Vetted;

/* Notes the value at place `at` for its vet, keeping the places in order. */
PER_MEMBER void
note(Vetted *vetted, Py_ssize_t at, PyObject *value)
{
    Py_ssize_t k = vetted->count++;
    for (; k > 0 && vetted->at[k - 1] > at; k--) {
        vetted->at[k] = vetted->at[k - 1];
    }
    vetted->at[k] = at;
    vetted->values[at] = value;
}

/* A step's test of its key's value, borrowed: 1 it passes (or no member is tested), 0 it fails,
 * 2 the member's vet decides (noted), -1 an exception.  quick() with its reads made. */
PER_MEMBER int
step_passes(const Step *step, PyObject *value, Vetted *vetted)
{
    int ok;
    if (step->how == STEP_TYPES_ONLY) {
        PyTypeObject *kind = Py_TYPE(value);
        if (kind == step->types[0] || kind == step->types[1] || kind == step->types[2] || kind == step->types[3]) {
            return 1;
        }
        ok = step->vetted ? 2 : 0;
    }
    else if (step->how == STEP_QUICK) {
        ok = quick(value, step->member);
    }
    else {
        return 1;
    }
    if (ok == 2) {
        note(vetted, step->at, value);
    }
    return ok;
}

/* The __dict__'s required members, then its optional ones, each tested as it is read (quick()):
 * in `vetted`, a new reference to each value that its vet is to decide.  1 when every required
 * member is present and no watched name is, with *rejected set when a value failed; else
 * (nothing in `vetted`) 0 when a required member is absent, 2 when a watched name is present,
 * -1 an exception.
 * A __dict__ whose keys are the objects of the program's layout is read in one pass (see learn())
 * that runs no Python code, its values borrowed during it: a split one in place, at the indices
 * learnt, whose keys must be those objects there; another in order, whose keys must be those
 * objects in that order.  Another is looked up name by name, and then learnt. */
static int
gather(PyObject *program, PyObject *namespace, Vetted *vetted, int *rejected)
{
    PyObject *required = PyTuple_GET_ITEM(program, 2), *watched = PyTuple_GET_ITEM(program, 3);
    PyObject *optional = PyTuple_GET_ITEM(program, 4), *places = PyTuple_GET_ITEM(program, 6);
    PyObject *cell = PyTuple_GET_ITEM(program, 7), *key, *value;
    Py_ssize_t nreq = PyTuple_GET_SIZE(required), nopt = PyTuple_GET_SIZE(optional);
    Py_ssize_t size = PyDict_GET_SIZE(namespace), present = 0, position = 0, i;
    int verdict = 1, ok;
    vetted->count = 0;
    *rejected = 0;
    PyObject *layout = PyList_CheckExact(cell) && PyList_GET_SIZE(cell) == 1 ? PyList_GET_ITEM(cell, 0) : NULL;
    if (layout != NULL && PyTuple_CheckExact(layout) && PyTuple_GET_SIZE(layout) == size + 1) {
        const Head *head = (const Head *)PyBytes_AS_STRING(PyTuple_GET_ITEM(layout, size));
        const Step *steps = (const Step *)(head + 1);
#ifdef IN_PLACE
        PyObject *const *values;
        const KeyEntry *entries;
        /* As many keys as the steps (size is the __dict__'s, which the layout's matches), each
         * at its index with a value: those keys and no other. */
        if (head->in_place && split_parts(namespace, &values, &entries) > head->last) {
            for (i = 0; i < size; i++) {
                const Step *step = &steps[i];
                if (entries[step->index].me_key != step->key || (value = values[step->index]) == NULL) {
                    break;
                }
                if ((ok = step_passes(step, value, vetted)) <= 0) {
                    if (ok < 0) {
                        verdict = -1;
                        break;
                    }
                    *rejected = 1;
                }
            }
            if (i == size) {
                goto read;
            }
            vetted->count = 0; /* borrowed, not yet held */
            *rejected = 0;
            if (verdict < 0) {
                return -1;
            }
        }
#endif
        for (i = 0; PyDict_Next(namespace, &position, &key, &value); i++) {
            if (i >= size || key != steps[i].key) {
                break;
            }
            if ((ok = step_passes(&steps[i], value, vetted)) <= 0) {
                if (ok < 0) {
                    verdict = -1;
                    break;
                }
                *rejected = 1;
            }
        }
        if (i == size && verdict == 1) {
            goto read;
        }
        vetted->count = 0; /* borrowed, not yet held */
        *rejected = 0;
        if (verdict < 0) {
            return -1;
        }
    }
    for (i = 0; i < nreq + nopt; i++) {
        PyObject *member = member_at(required, optional, i);
        value = PyDict_GetItemWithError(namespace, PyTuple_GET_ITEM(member, 0));
        if (value == NULL) {
            if (PyErr_Occurred()) {
                verdict = -1;
                goto unfound;
            }
            if (i < nreq) {
                verdict = 0;
                goto unfound;
            }
            continue;
        }
        present++;
        /* Tested before the next lookup, which may run a key's __eq__ and drop the value. */
        ok = quick(value, member);
        if (ok == 2) {
            note(vetted, i, Py_NewRef(value));
        }
        else if (ok == 0) {
            *rejected = 1;
        }
        else if (ok < 0) {
            verdict = -1;
            goto unfound;
        }
    }
    if (size != present) {
        /* Only a __dict__ that holds more than the members can hold a watched name. */
        for (i = 0; i < PyTuple_GET_SIZE(watched); i++) {
            int found = PyDict_Contains(namespace, PyTuple_GET_ITEM(watched, i));
            if (found) {
                verdict = found < 0 ? -1 : 2;
                goto unfound;
            }
        }
    }
    /* A pass over a __dict__ much larger than the members would cost more than their lookups. */
    if (places != Py_None && size <= 2 * (nreq + nopt + PyTuple_GET_SIZE(watched)) + 8
        && learn(program, namespace) < 0) {
        verdict = -1;
        goto unfound;
    }
    return 1;
read:
    for (i = 0; i < vetted->count; i++) {
        Py_INCREF(vetted->values[vetted->at[i]]);
    }
    return 1;
unfound:
    *rejected = 0;
    for (i = 0; i < vetted->count; i++) {
        Py_DECREF(vetted->values[vetted->at[i]]);
    }
    vetted->count = 0;
    return verdict;
}

/* The plan's generated function, run as data: the plan's report (a conforming instance),
 * Py_False or Py_None (the full evaluation decides), as a new reference; NULL only for an
 * exception that is not an Exception.  The steps are the function's (see _engine._factory):
 * the __dict__'s required members (absent: False), the watched names (present: None), the
 * tests of the required then the optional members' values, then the slots (unassigned: False
 * if needed).  As there, a KeyError in a test of a required member means False and any other
 * Exception means None.
 *
 * program: (ok, read_dict, ((name, accepted, vet), ...) required, (name, ...) watched,
 *           ((name, accepted, vet), ...) optional, ((reader, accepted, vet, needed), ...) slots,
 *           places, [layout])  (see _engine.native_program) */
static PyObject *
run(Hook *self, PyObject *program, PyObject *instance, int depth)
{
    PyObject *required = PyTuple_GET_ITEM(program, 2), *optional = PyTuple_GET_ITEM(program, 4);
    PyObject *slots = PyTuple_GET_ITEM(program, 5);
    Py_ssize_t nreq = PyTuple_GET_SIZE(required), count = nreq + PyTuple_GET_SIZE(optional), i;
    PyObject *namespace = NULL, *verdict = Py_None, *value, *stack[STACK_MEMBERS];
    Py_ssize_t stack_at[STACK_MEMBERS];
    Vetted vetted = {stack, stack_at, 0};
    int ok, rejected = 0;
    if (count > STACK_MEMBERS) {
        vetted.values = PyMem_New(PyObject *, count);
        vetted.at = PyMem_New(Py_ssize_t, count);
        if (vetted.values == NULL || vetted.at == NULL) {
            PyMem_Free(vetted.values);
            PyMem_Free(vetted.at);
            PyErr_NoMemory();
            return NULL;
        }
    }
    if (count || PyTuple_GET_SIZE(PyTuple_GET_ITEM(program, 3))) {
        namespace = read_with(PyTuple_GET_ITEM(program, 1), instance);
        if (namespace == NULL) {
            goto failed;
        }
        if (!PyDict_CheckExact(namespace)) {
            goto done;
        }
        if ((ok = gather(program, namespace, &vetted, &rejected)) != 1) {
            if (ok < 0) {
                goto failed;
            }
            verdict = ok == 0 ? Py_False : Py_None;
            goto done;
        }
        if (rejected) {
            goto done;
        }
        for (Py_ssize_t k = 0; k < vetted.count; k++) {
            i = vetted.at[k];
            PyObject *member = member_at(required, optional, i);
            ok = passes(self, PyTuple_GET_ITEM(member, 2), vetted.values[i], depth);
            if (ok < 0) {
                if (i >= nreq || !PyErr_ExceptionMatches(PyExc_KeyError)) {
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
    }
    for (i = 0; i < PyTuple_GET_SIZE(slots); i++) {
        PyObject *slot = PyTuple_GET_ITEM(slots, i), *held = NULL;
        int direct;
        value = peek_slot(PyTuple_GET_ITEM(slot, 0), instance, &direct);
        if (!direct) {
            value = held = read_with(PyTuple_GET_ITEM(slot, 0), instance);
            if (value == NULL) {
                if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                    goto failed;
                }
                PyErr_Clear();
            }
        }
        if (value == NULL) {
            if (PyTuple_GET_ITEM(slot, 3) == Py_True) {
                verdict = Py_False;
                goto done;
            }
            continue;
        }
        ok = quick(value, slot);
        if (ok == 2) {
            if (held == NULL) {
                held = Py_NewRef(value);  /* the vet may run Python code that empties the slot */
            }
            ok = passes(self, PyTuple_GET_ITEM(slot, 2), value, depth);
        }
        Py_XDECREF(held);
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
        verdict = NULL;
        goto done;
    }
    PyErr_Clear();
    verdict = Py_None;
done:
    for (Py_ssize_t k = 0; k < vetted.count; k++) {
        Py_DECREF(vetted.values[vetted.at[k]]);
    }
    if (vetted.values != stack) {
        PyMem_Free(vetted.values);
        PyMem_Free(vetted.at);
    }
    Py_XDECREF(namespace);
    return Py_XNewRef(verdict);
}

static PyObject *
call2(PyObject *func, PyObject *a, PyObject *b)
{
    PyObject *args[3] = {NULL, a, b};
    return PyObject_Vectorcall(func, args + 1, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* isinstance(instance, cls) for a class of the package's metaclass. */
static PyObject *
check(Hook *self, PyObject *cls, PyObject *instance)
{
    PyObject *native = lookup(self, cls, (PyObject *)Py_TYPE(instance));
    if (native == NULL) {
        return PyErr_Occurred() ? NULL : call2(self->miss, cls, instance);
    }
    if (native == Py_True || native == Py_False) {
        return native;
    }
    if (!PyTuple_CheckExact(native) || PyTuple_GET_SIZE(native) != 8) {
        Py_DECREF(native);
        PyErr_SetString(PyExc_SystemError, "a plan's native program is not one this hook runs");
        return NULL;
    }
    PyObject *verdict = run(self, native, instance, 0);
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

static PyObject *
hook_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 2 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "__instancecheck__ takes the class and one instance");
        return NULL;
    }
    return check((Hook *)op, args[0], args[1]);
}

/* The object a weak reference refers to, as a new reference; NULL (no exception) once it is gone. */
static PyObject *
referent(PyObject *ref)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *obj = NULL;
    return PyWeakref_GetRef(ref, &obj) > 0 ? obj : NULL;
#else
    PyObject *obj = PyWeakref_GET_OBJECT(ref);
    return obj == Py_None ? NULL : Py_NewRef(obj);
#endif
}

static PyObject *
bound_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Bound *self = (Bound *)op;
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "__instancecheck__ takes one instance");
        return NULL;
    }
    PyObject *cls = referent(self->ref);
    if (cls == NULL) {
        PyErr_SetString(PyExc_ReferenceError, "the class this __instancecheck__ was bound to no longer exists");
        return NULL;
    }
    PyObject *verdict = check((Hook *)self->hook, cls, args[0]);
    Py_DECREF(cls);
    return verdict;
}

/* Bound to the class like a function, so that isinstance() passes (cls, instance): the bound
 * hook kept in the class's slot when it is this class's (its address, and a weak reference
 * still to it: a class that died cleared its weak references before its address could be
 * reused), else a new one there.  A class that takes no weak reference gets a bound method. */
static PyObject *
hook_descr_get(PyObject *op, PyObject *obj, PyObject *type)
{
    Hook *self = (Hook *)op;
    if (obj == NULL || obj == Py_None) {
        return Py_NewRef(op);
    }
    size_t slot = ((uintptr_t)obj >> 4) % BOUND_SLOTS;
    Bound *kept = (Bound *)self->bound[slot];
    if (kept != NULL && kept->cls == obj) {
        PyObject *cls = referent(kept->ref);
        Py_XDECREF(cls);  /* compared only: obj, which the caller holds, is alive */
        if (cls == obj) {
            return Py_NewRef(kept);
        }
    }
    PyObject *ref = PyWeakref_NewRef(obj, NULL);
    if (ref == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
            return NULL;
        }
        PyErr_Clear();
        return PyMethod_New(op, obj);
    }
    Bound *bound = PyObject_GC_New(Bound, &BoundType);
    if (bound == NULL) {
        Py_DECREF(ref);
        return NULL;
    }
    bound->vectorcall = bound_vectorcall;
    bound->hook = Py_NewRef(op);
    bound->ref = ref;
    bound->cls = obj;
    PyObject_GC_Track(bound);
    Py_XSETREF(self->bound[slot], Py_NewRef(bound));
    return (PyObject *)bound;
}

static int
bound_traverse(Bound *self, visitproc visit, void *arg)
{
    Py_VISIT(self->hook);
    Py_VISIT(self->ref);
    return 0;
}

static int
bound_clear(Bound *self)
{
    Py_CLEAR(self->hook);
    Py_CLEAR(self->ref);
    return 0;
}

static void
bound_dealloc(Bound *self)
{
    PyObject_GC_UnTrack(self);
    bound_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject BoundType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "parsl_executor_protocol.checking._speedups.BoundHook",
    .tp_basicsize = sizeof(Bound),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "The isinstance() hook bound to one class of the package's metaclass.",
    .tp_dealloc = (destructor)bound_dealloc,
    .tp_traverse = (traverseproc)bound_traverse,
    .tp_clear = (inquiry)bound_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(Bound, vectorcall),
};

static int
hook_traverse(Hook *self, visitproc visit, void *arg)
{
    Py_VISIT(self->state);
    Py_VISIT(self->miss);
    Py_VISIT(self->full);
    Py_VISIT(self->native);
    for (int i = 0; i < BOUND_SLOTS; i++) {
        Py_VISIT(self->bound[i]);
    }
    return 0;
}

static int
hook_clear(Hook *self)
{
    Py_CLEAR(self->state);
    Py_CLEAR(self->miss);
    Py_CLEAR(self->full);
    Py_CLEAR(self->native);
    for (int i = 0; i < BOUND_SLOTS; i++) {
        Py_CLEAR(self->bound[i]);
    }
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

/* Hook.report(program, instance): a plan's native program applied to an instance, for check()
 * (checking.check): the plan's report for a conforming instance, else False or None (see
 * run()).  The program is one _engine.native_program made. */
static PyObject *
hook_report(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_CheckExact(args[0]) || PyTuple_GET_SIZE(args[0]) != 8) {
        PyErr_SetString(PyExc_TypeError, "report() takes a plan's native program and one instance");
        return NULL;
    }
    if (Py_EnterRecursiveCall(" in check()")) {
        return NULL;
    }
    PyObject *verdict = run((Hook *)op, args[0], args[1], 0);
    Py_LeaveRecursiveCall();
    return verdict;
}

static PyMethodDef hook_methods[] = {
    {"report", (PyCFunction)(void (*)(void))hook_report, METH_FASTCALL,
     "report(program, instance): a plan's native program applied to an instance, as check() needs it."},
    {NULL, NULL, 0, NULL},
};

static PyObject *
speedups_identity(PyObject *module, PyObject *obj)
{
    return identity_key(obj);
}

/* --- known_members: what _verdict's memos know of a class, read in one call ------------------
 *
 * _verdict.member_of keys the verdict on a plain function by (member, code_key(...)) in
 * _functions and on a property by (member, annotation, namespace, read-only) in _raw_memo;
 * classes made alike (a class statement re-executed or compiled anew) find every member
 * there.  This builds the same keys from the same fields, as the C types hold them, and
 * reads the same memos: a first check of such a class then makes no Python call per member.
 * What it cannot answer (an absent member, another kind of entry, a memo miss) it leaves
 * to member_of.  It runs no Python code: the keys hash and compare as ints, exact strs and
 * tuples of them. */

#ifndef Py_GIL_DISABLED
static PyObject *s_fget, *s_fset, *s_return;

/* _signatures.code_key(func.__code__, func.__defaults__, func.__kwdefaults__), prefixed with
 * the member's identity: (wanted_id, (co_varnames, co_argcount, co_posonlyargcount,
 * co_kwonlyargcount, co_flags, len(defaults), tuple(kwdefaults))). */
static PyObject *
function_key(PyObject *wanted_id, PyFunctionObject *func)
{
    PyObject *code = func->func_code;
    if (code == NULL || !PyCode_Check(code)) {
        return Py_NewRef(Py_None);
    }
    PyCodeObject *co = (PyCodeObject *)code;
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *varnames = PyCode_GetVarnames(co); /* computed anew, as code.co_varnames is */
#else
    PyObject *varnames = Py_NewRef(co->co_varnames);
#endif
    if (varnames == NULL) {
        return NULL;
    }
    PyObject *defaults = func->func_defaults, *kwdefaults = func->func_kwdefaults, *names;
    if (kwdefaults != NULL && PyDict_Check(kwdefaults)) {
        PyObject *keys = PyDict_Keys(kwdefaults);
        names = keys == NULL ? NULL : PyList_AsTuple(keys);
        Py_XDECREF(keys);
    }
    else {
        names = PyTuple_New(0);
    }
    PyObject *facts = names == NULL ? NULL : PyTuple_New(7);
    if (facts == NULL) {
        Py_DECREF(varnames);
        Py_XDECREF(names);
        return NULL;
    }
    PyTuple_SET_ITEM(facts, 0, varnames);
    PyTuple_SET_ITEM(facts, 6, names);
    long numbers[5] = {
        co->co_argcount, co->co_posonlyargcount, co->co_kwonlyargcount, co->co_flags,
        (long)(defaults != NULL && PyTuple_Check(defaults) ? PyTuple_GET_SIZE(defaults) : 0),
    };
    for (int i = 0; i < 5; i++) {
        PyObject *number = PyLong_FromLong(numbers[i]);
        if (number == NULL) {
            Py_DECREF(facts);
            return NULL;
        }
        PyTuple_SET_ITEM(facts, 1 + i, number);
    }
    PyObject *key = PyTuple_New(2);
    if (key == NULL) {
        Py_DECREF(facts);
        return NULL;
    }
    PyTuple_SET_ITEM(key, 0, Py_NewRef(wanted_id));
    PyTuple_SET_ITEM(key, 1, facts);
    return key;
}

/* member_of's key for a property whose getter is a plain function: (wanted_id, annotation,
 * identity(fget.__globals__), read-only) for a str annotation, else (wanted_id,
 * identity(annotation), None, read-only); None when the getter is not a plain function. */
static PyObject *
property_key(PyObject *wanted_id, PyObject *entry, PyObject *no_annotation)
{
#if PY_VERSION_HEX >= 0x030E0000
    /* From 3.14 an annotation may be made by the function's __annotate__: member_of asks. */
    return Py_NewRef(Py_None);
#else
    PyObject *fget = PyObject_GetAttr(entry, s_fget); /* property's own member: no code runs */
    if (fget == NULL) {
        return NULL;
    }
    if (!Py_IS_TYPE(fget, &PyFunction_Type)) {
        Py_DECREF(fget);
        return Py_NewRef(Py_None);
    }
    /* fget.__annotations__ as a dict (a function may keep them as a tuple until asked). */
    PyObject *annotations = PyFunction_GetAnnotations(fget);
    PyObject *annotation = NULL;
    if (annotations != NULL && PyDict_CheckExact(annotations)) {
        annotation = PyDict_GetItemWithError(annotations, s_return);
    }
    if (annotation == NULL && PyErr_Occurred()) {
        Py_DECREF(fget);
        return NULL;
    }
    annotation = Py_NewRef(annotation == NULL ? no_annotation : annotation);
    PyObject *fset = PyObject_GetAttr(entry, s_fset);
    PyObject *key = fset == NULL ? NULL : PyTuple_New(4);
    if (key == NULL) {
        Py_XDECREF(fset);
        Py_DECREF(annotation);
        Py_DECREF(fget);
        return NULL;
    }
    PyTuple_SET_ITEM(key, 0, Py_NewRef(wanted_id));
    PyTuple_SET_ITEM(key, 3, Py_NewRef(fset == Py_None ? Py_True : Py_False));
    Py_DECREF(fset);
    if (PyUnicode_CheckExact(annotation)) {
        PyTuple_SET_ITEM(key, 1, annotation);
        PyTuple_SET_ITEM(key, 2, identity_key(PyFunction_GET_GLOBALS(fget)));
    }
    else {
        PyTuple_SET_ITEM(key, 1, identity_key(annotation));
        PyTuple_SET_ITEM(key, 2, Py_NewRef(Py_None));
        Py_DECREF(annotation);
    }
    Py_DECREF(fget);
    if (PyTuple_GET_ITEM(key, 1) == NULL || PyTuple_GET_ITEM(key, 2) == NULL) {
        Py_DECREF(key);
        return NULL;
    }
    return key;
#endif
}

/* memo[key][1], the verdict an entry (keep, verdict) holds, as a new reference; NULL when
 * absent, with an exception set only on an error. */
static PyObject *
remembered(PyObject *memo, PyObject *key)
{
    PyObject *entry = PyDict_GetItemWithError(memo, key);
    if (entry == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2) {
        return NULL;
    }
    return Py_NewRef(PyTuple_GET_ITEM(entry, 1));
}

/* The verdict the memos hold for one member's entry (new reference), or NULL: not known, or
 * an error (set). */
static PyObject *
known_member(PyObject *fact, PyObject *merged, PyObject *fallback, PyObject *functions, PyObject *properties,
             PyObject *no_annotation)
{
    if (!PyTuple_CheckExact(fact) || PyTuple_GET_SIZE(fact) != 3) {
        PyErr_SetString(PyExc_TypeError, "known_members() takes (name, identity, is a method) per member");
        return NULL;
    }
    PyObject *name = PyTuple_GET_ITEM(fact, 0), *wanted_id = PyTuple_GET_ITEM(fact, 1);
    PyObject *entry = PyDict_GetItemWithError(merged, name);
    if (entry == NULL && !PyErr_Occurred()) {
        entry = PyDict_GetItemWithError(fallback, name);
    }
    if (entry == NULL) {
        return NULL;
    }
    PyObject *key = NULL, *memo = NULL;
    Py_INCREF(entry);
    if (Py_IS_TYPE(entry, &PyFunction_Type)) {
        PyObject *own = ((PyFunctionObject *)entry)->func_dict; /* member_of's `not entry.__dict__` */
        if (own == NULL || (PyDict_Check(own) && PyDict_GET_SIZE(own) == 0)) {
            key = function_key(wanted_id, (PyFunctionObject *)entry);
            memo = functions;
        }
    }
    else if (Py_IS_TYPE(entry, &PyProperty_Type) && PyTuple_GET_ITEM(fact, 2) != Py_True) {
        key = property_key(wanted_id, entry, no_annotation);
        memo = properties;
    }
    Py_DECREF(entry);
    if (key == NULL || key == Py_None) {
        Py_XDECREF(key);
        return NULL;
    }
    PyObject *verdict = remembered(memo, key);
    Py_DECREF(key);
    return verdict;
}

/* known_members(facts, merged, fallback, functions, properties, no_annotation): see
 * _verdict.install_memo_reader. */
static PyObject *
speedups_known_members(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyTuple_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyDict_CheckExact(args[2])
        || !PyDict_CheckExact(args[3]) || !PyDict_CheckExact(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "known_members() takes a model's member facts, two namespaces (dicts) and two memos (dicts)");
        return NULL;
    }
    PyObject *facts = args[0];
    Py_ssize_t count = PyTuple_GET_SIZE(facts);
    PyObject *members = PyList_New(count);
    PyObject *holes = members == NULL ? NULL : PyList_New(0);
    if (holes == NULL) {
        Py_XDECREF(members);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *verdict = known_member(PyTuple_GET_ITEM(facts, i), args[1], args[2], args[3], args[4], args[5]);
        if (verdict != NULL) {
            PyList_SET_ITEM(members, i, verdict);
            continue;
        }
        PyObject *place = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(i);
        if (place == NULL || PyList_Append(holes, place) < 0) {
            Py_XDECREF(place);
            goto error;
        }
        Py_DECREF(place);
        PyList_SET_ITEM(members, i, Py_NewRef(Py_None));
    }
    PyObject *found = PyTuple_New(2);
    if (found == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(found, 0, members);
    PyTuple_SET_ITEM(found, 1, holes);
    return found;
error:
    Py_DECREF(members);
    Py_DECREF(holes);
    return NULL;
}
#endif

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
    .tp_methods = hook_methods,
};

static PyMethodDef speedups_methods[] = {
    {"identity", speedups_identity, METH_O, "The identity key the hook computes for an object."},
    {"reads_in_place", speedups_reads_in_place, METH_O,
     "Whether a native program's last learnt layout reads a split __dict__ in place (None: none learnt)."},
#ifndef Py_GIL_DISABLED
    {"known_members", (PyCFunction)(void (*)(void))speedups_known_members, METH_FASTCALL,
     "known_members(facts, merged, fallback, functions, properties, no_annotation): what the memos know of a class."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "parsl_executor_protocol.checking._speedups",
    "The engine's isinstance hook, and its reading of the member memos on a first check, in C.", -1,
    speedups_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&HookType) < 0 || PyType_Ready(&BoundType) < 0) {
        return NULL;
    }
    s_recent = PyUnicode_InternFromString("recent_hooked");
    s_epoch = PyUnicode_InternFromString("epoch");
    s_hooked = PyUnicode_InternFromString("hooked");
    s_native = PyUnicode_InternFromString("native");
    s_busy = PyUnicode_InternFromString("busy");
    if (!s_recent || !s_epoch || !s_hooked || !s_native || !s_busy) {
        return NULL;
    }
#ifndef Py_GIL_DISABLED
    s_fget = PyUnicode_InternFromString("fget");
    s_fset = PyUnicode_InternFromString("fset");
    s_return = PyUnicode_InternFromString("return");
    if (!s_fget || !s_fset || !s_return) {
        return NULL;
    }
#endif
    for (long code = NATIVE_PROTOCOL; code <= NATIVE_NEVER; code++) {
        if ((s_codes[code] = PyLong_FromLong(code)) == NULL) {
            return NULL;
        }
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
    if (PyModule_AddIntConstant(module, "NATIVE_DEPTH", NATIVE_DEPTH) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
