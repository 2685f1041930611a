/*
 * Client helpers: KCOM_QUERY_INTERFACE (typed) and kcom_query_interface, KCOM_ADDREF/KCOM_RELEASE
 * and their functions, KCOM_RELEASE_AND_CLEAR / kcom_release_and_clear (clears, releases, returns
 * the new count; a NULL slot or a slot holding NULL does nothing), KCOM_SCOPED (released at every
 * scope exit, gcc and clang) and kcom_scoped_release.
 */
#include "test_common.h"

typedef struct Client {
    IOther1 IOther1_iface;
    IOther2 IOther2_iface;
    ULONG value;
} Client;

static LONG client_destroyed;

static ULONG Client_Tag(Client *self)
{
    return self->value;
}
static NTSTATUS Client_Store(Client *self, ULONG value)
{
    self->value = value;
    return STATUS_SUCCESS;
}
static NTSTATUS Client_Load(Client *self, ULONG *value)
{
    *value = self->value;
    return STATUS_SUCCESS;
}
static void Client_destroy(Client *self)
{
    (void)self;
    client_destroyed++;
}
KCOM_IMPLEMENT_WITH(Client, IOther1, IOther1_iface, Client_)
KCOM_IMPLEMENT_WITH(Client, IOther2, IOther2_iface, Client_)
KCOM_CLASS(Client, Client_destroy, (IOther1, IOther1_iface), (IOther2, IOther2_iface))

#if KCOM_HAVE_CLEANUP
/* A scoped pointer released on an early return. */
static NTSTATUS scoped_early_return(IOther1 *o1, int leave_early)
{
    KCOM_SCOPED(IOther2) o2 = NULL;
    NTSTATUS status = KCOM_QUERY_INTERFACE(o1, IOther2, &o2);
    if (!NT_SUCCESS(status))
        return status;
    if (leave_early)
        return STATUS_CANCELLED;
    return IOther2_Store(o2, 0xE4u);
}
#endif

void kcom_test_client(void)
{
    Client *client = NULL;
    IOther1 *o1;
    IOther2 *o2 = NULL;
    IOther3 *o3 = TEST_POISON_PTR;
    IUnknown *unknown = NULL;
    void *raw = NULL;
    NTSTATUS status;

    client_destroyed = 0;
    ok(KCOM_NEW(Client, NULL, &client) == STATUS_SUCCESS && client != NULL, "KCOM_NEW(Client)\n");
    if (client == NULL)
        return;
    o1 = &client->IOther1_iface;

    /* KCOM_UNKNOWN is the same pointer */
    ok(KCOM_UNKNOWN(o1) == (IUnknown *)(void *)o1, "KCOM_UNKNOWN\n");

    /* typed QueryInterface */
    status = KCOM_QUERY_INTERFACE(o1, IOther2, &o2);
    ok(status == STATUS_SUCCESS && o2 == &client->IOther2_iface, "KCOM_QUERY_INTERFACE(IOther2): %s %p\n",
       kcom_status_name(status), (void *)o2);
    check_refcount(client, 2);
    status = KCOM_QUERY_INTERFACE(o2, IOther3, &o3);
    ok(status == STATUS_NOINTERFACE && o3 == NULL, "KCOM_QUERY_INTERFACE(IOther3): %s %p\n", kcom_status_name(status),
       (void *)o3);
    check_refcount(client, 2);
    status = KCOM_QUERY_INTERFACE(o2, IUnknown, &unknown);
    ok(status == STATUS_SUCCESS && unknown == (IUnknown *)(void *)o1, "KCOM_QUERY_INTERFACE(IUnknown)\n");
    check_refcount(client, 3);

    /* the function form */
    status = kcom_query_interface(unknown, &IID_IOther1, &raw);
    ok(status == STATUS_SUCCESS && raw == (void *)o1, "kcom_query_interface: %s %p\n", kcom_status_name(status), raw);
    check_refcount(client, 4);

    /* AddRef/Release, macro and function forms, return the new count */
    ok(KCOM_ADDREF(o2) == 5, "KCOM_ADDREF\n");
    ok(kcom_addref(unknown) == 6, "kcom_addref\n");
    ok(KCOM_RELEASE(o1) == 5, "KCOM_RELEASE\n");
    ok(kcom_release(unknown) == 4, "kcom_release\n");
    check_refcount(client, 4);

    /* release-and-clear */
    ok(KCOM_RELEASE_AND_CLEAR(&o2) == 3, "KCOM_RELEASE_AND_CLEAR returns the new count\n");
    ok(o2 == NULL, "KCOM_RELEASE_AND_CLEAR did not clear\n");
    check_refcount(client, 3);
    ok(KCOM_RELEASE_AND_CLEAR(&o2) == 0 && o2 == NULL, "KCOM_RELEASE_AND_CLEAR on a cleared slot\n");
    check_refcount(client, 3);
    ok(kcom_release_and_clear(&raw) == 2 && raw == NULL, "kcom_release_and_clear\n");
    ok(kcom_release_and_clear(&raw) == 0 && raw == NULL, "kcom_release_and_clear on a cleared slot\n");
    ok(kcom_release_and_clear(NULL) == 0, "kcom_release_and_clear(NULL)\n");
    check_refcount(client, 2);
    ok(kcom_release_and_clear(&unknown) == 1 && unknown == NULL, "kcom_release_and_clear(&unknown)\n");
    check_refcount(client, 1);

    /* kcom_scoped_release is release-and-clear */
    raw = NULL;
    ok(kcom_query_interface((IUnknown *)(void *)o1, &IID_IOther2, &raw) == STATUS_SUCCESS, "QI\n");
    check_refcount(client, 2);
    kcom_scoped_release(&raw);
    ok(raw == NULL, "kcom_scoped_release did not clear\n");
    check_refcount(client, 1);

#if KCOM_HAVE_CLEANUP
    /* KCOM_SCOPED: released at the end of the block */
    {
        KCOM_SCOPED(IOther2) scoped = NULL;
        ok(KCOM_QUERY_INTERFACE(o1, IOther2, &scoped) == STATUS_SUCCESS && scoped != NULL, "QI into a scoped pointer\n");
        check_refcount(client, 2);
        {
            KCOM_SCOPED(IUnknown) inner_scope = NULL;
            ok(KCOM_QUERY_INTERFACE(scoped, IUnknown, &inner_scope) == STATUS_SUCCESS, "nested scoped pointer\n");
            check_refcount(client, 3);
        }
        check_refcount(client, 2);
        {
            KCOM_SCOPED(IOther1) cleared = NULL; /* cleared by hand before the scope ends */
            ok(KCOM_QUERY_INTERFACE(scoped, IOther1, &cleared) == STATUS_SUCCESS, "QI\n");
            check_refcount(client, 3);
            KCOM_RELEASE_AND_CLEAR(&cleared);
            check_refcount(client, 2);
        }
        check_refcount(client, 2);
        {
            KCOM_SCOPED(IOther3) never = NULL; /* never set */
            (void)never;
        }
        check_refcount(client, 2);
    }
    check_refcount(client, 1);

    /* and on early returns */
    ok(scoped_early_return(o1, 1) == STATUS_CANCELLED, "early return\n");
    check_refcount(client, 1);
    ok(scoped_early_return(o1, 0) == STATUS_SUCCESS && client->value == 0xE4u, "normal return\n");
    check_refcount(client, 1);
#else
    skip("KCOM_SCOPED needs a compiler with cleanup attributes\n");
#endif

    ok(client_destroyed == 0, "destroyed early\n");
    {
        IOther1 *last = o1;
        ok(KCOM_RELEASE_AND_CLEAR(&last) == 0 && last == NULL, "the last reference\n");
    }
    ok(client_destroyed == 1, "destroyed %ld times\n", (long)client_destroyed);
}
