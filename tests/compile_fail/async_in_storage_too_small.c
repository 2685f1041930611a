/*
 * An ASYNC_IN method whose implementation's operation (result and state) does not fit the storage
 * the interface promises its callers. The first error names the method and I_Name_STORAGE.
 * outcome: error
 * first: IReader::Read \(ASYNC_IN\): the operation of Reader_Read .*does not fit the IReader_Read_STORAGE bytes
 * max-errors: 1
 */
#include <kcom/kcom.h>

KCOM_DECLARE_ASYNC_OPERATION(IAsyncTooBig, ULONG,
                             0x5c2e7a17, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x17)

#define IReader_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, ASYNC_IN, IAsyncTooBig, Read, (ULONG, count))
#define IReader_Read_STORAGE 64

KCOM_DECLARE_INTERFACE(IReader, IUnknown,
                       0x5c2e7a18, 0x3b1d, 0x4e6f, 0x8a, 0x91, 0x2c, 0x4d, 0x6e, 0x7f, 0x80, 0x18)

typedef struct Reader {
    IReader IReader_iface;
} Reader;

typedef struct Reader_Read_state {
    KCOM_TASK_RESUME_POINT;
    ULONG count;
} Reader_Read_state;

static NTSTATUS Reader_Read(Reader *self, Reader_Read_state *state, ULONG count)
{
    (void)self;
    state->count = count;
    return STATUS_SUCCESS;
}

static kcom_poll_result Reader_Read_poll(Reader_Read_state *state, kcom_task_context *cx)
{
    KCOM_TASK_BEGIN(state);
    KCOM_TASK_RETURN_VALUE(cx, ULONG, state->count);
    KCOM_TASK_END(cx);
}

#define Reader_Read_drop NULL

KCOM_IMPLEMENT(Reader, IReader, IReader_iface)
KCOM_CLASS(Reader, NULL, (IReader, IReader_iface))
