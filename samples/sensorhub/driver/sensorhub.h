/*
 * sensorhub.h - the sensor hub's COM interfaces and the hub the driver keeps.
 *
 *     ISensor : IUnknown                 Read (sync), Sample (async: waits a settle time, then
 *                                        converts)
 *     IThresholdSensor : ISensor         WaitAbove (async: the first sample above a threshold)
 *     ISensorCalibration : IUnknown      SetOffset, GetOffset (sync; a secondary interface)
 *
 * One class, Sensor (sensors.c), implements IThresholdSensor, hence ISensor, and
 * ISensorCalibration. The hub owns the sensors and a sampler task that refreshes every sensor
 * each period on a periodic kcom timer and pulses an event that WaitAbove awaits.
 */
#ifndef SENSORHUB_H
#define SENSORHUB_H

#include <kcom/kcom.h>

#include "../sensorhub_ioctl.h"

/* The result of the async methods: a sensor value. */
KCOM_DECLARE_ASYNC_OPERATION(IAsyncLONG, LONG,
    0x3d0f5b61, 0x9a42, 0x4c1e, 0xb7, 0x05, 0x6e, 0x21, 0x8c, 0x4f, 0x90, 0x3a)

#define ISensor_METHODS(M, I)                                                             \
    IUnknown_METHODS(M, I)                                                                \
    M(I, RESULT, LONG, Read, )                                                            \
    M(I, ASYNC, IAsyncLONG, Sample, (ULONG, settle_ms))

#define IThresholdSensor_METHODS(M, I)                                                    \
    ISensor_METHODS(M, I)                                                                 \
    M(I, ASYNC, IAsyncLONG, WaitAbove, (LONG, threshold))

#define ISensorCalibration_METHODS(M, I)                                                  \
    IUnknown_METHODS(M, I)                                                                \
    M(I, METHOD, NTSTATUS, SetOffset, (LONG, offset))                                     \
    M(I, RESULT, LONG, GetOffset, )

#ifndef __ISensor_INTERFACE_DEFINED__
#define __ISensor_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ISensor, IUnknown,
    0x3d0f5b62, 0x9a42, 0x4c1e, 0xb7, 0x05, 0x6e, 0x21, 0x8c, 0x4f, 0x90, 0x3a)
#endif
#ifndef __IThresholdSensor_INTERFACE_DEFINED__
#define __IThresholdSensor_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(IThresholdSensor, ISensor,
    0x3d0f5b63, 0x9a42, 0x4c1e, 0xb7, 0x05, 0x6e, 0x21, 0x8c, 0x4f, 0x90, 0x3a)
#endif
#ifndef __ISensorCalibration_INTERFACE_DEFINED__
#define __ISensorCalibration_INTERFACE_DEFINED__
KCOM_DECLARE_INTERFACE(ISensorCalibration, IUnknown,
    0x3d0f5b64, 0x9a42, 0x4c1e, 0xb7, 0x05, 0x6e, 0x21, 0x8c, 0x4f, 0x90, 0x3a)
#endif

struct Sensor;

typedef struct sensorhub {
    ISensor *sensors[SENSORHUB_SENSOR_COUNT];      /* one reference each */
    struct Sensor *impl[SENSORHUB_SENSOR_COUNT];   /* the same objects, for the sampler */
    ULONG period_ms;
    LONG volatile samples;
    LONG volatile canceled;        /* Sample and WaitAbove tasks that saw a cancel */
    kcom_async_event sampled;      /* pulsed after each sample: WaitAbove tasks look again */
    IKcomAsyncOperation *sampler;  /* runs until canceled (the unload's kcom_tracker_cancel_and_drain) */
} sensorhub;

/* Creates the sensors and starts the sampler on executor. On failure nothing is left to release.
 * IRQL: PASSIVE_LEVEL (DriverEntry). */
NTSTATUS sensorhub_start(sensorhub *hub, const kcom_executor *executor, ULONG period_ms);

/* Releases the sampler's operation and the sensors, once every task has ended (after the drain).
 * IRQL: <= DISPATCH_LEVEL. */
void sensorhub_release(sensorhub *hub);

#endif /* SENSORHUB_H */
