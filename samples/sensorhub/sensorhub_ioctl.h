/*
 * sensorhub_ioctl.h - the protocol between sensorhub.sys and its clients.
 *
 * Every request is METHOD_BUFFERED. READ, CALIBRATE and INFO complete in the dispatch routine;
 * SAMPLE and WAIT_ABOVE are async: the driver pends the IRP and completes it when the operation
 * of the method behind it finishes, with STATUS_CANCELLED when the request was canceled
 * (CancelIoEx) or the driver unloaded under it.
 *
 * Statuses (the Win32 error a DeviceIoControl caller sees is RtlNtStatusToDosError of these):
 *   STATUS_SUCCESS                 the output holds the value
 *   STATUS_INVALID_PARAMETER       input shorter than sensorhub_input; a calibration offset
 *                                  outside +-SENSORHUB_MAX_OFFSET; a settle time above
 *                                  SENSORHUB_MAX_SETTLE_MS
 *   STATUS_BUFFER_TOO_SMALL        output shorter than the value (a LONG, or sensorhub_info)
 *   STATUS_NOT_FOUND               no sensor with that index
 *   STATUS_INVALID_DEVICE_REQUEST  an unknown control code
 *   STATUS_CANCELLED               an async request canceled, by the client or at unload
 *   STATUS_DELETE_PENDING          the driver is unloading
 *   STATUS_INSUFFICIENT_RESOURCES  out of memory
 */
#ifndef SENSORHUB_IOCTL_H
#define SENSORHUB_IOCTL_H

/* CTL_CODE comes from <wdm.h> in the driver and <winioctl.h> in clients. */

#define SENSORHUB_DEVICE_NAME L"\\Device\\SensorHub"
#define SENSORHUB_LINK_NAME L"\\DosDevices\\SensorHub"
#define SENSORHUB_USER_PATH "\\\\.\\SensorHub"

/* Device types 0x8000 and above are for vendors. */
#define SENSORHUB_DEVICE_TYPE 0x8001u

/* out: sensorhub_info */
#define IOCTL_SENSORHUB_INFO CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x900, METHOD_BUFFERED, FILE_READ_ACCESS)
/* in: sensorhub_input {sensor}; out: LONG, the sensor's latest sample (ISensor::Read) */
#define IOCTL_SENSORHUB_READ CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x901, METHOD_BUFFERED, FILE_READ_ACCESS)
/* in: sensorhub_input {sensor, offset}; no output (ISensorCalibration::SetOffset) */
#define IOCTL_SENSORHUB_CALIBRATE CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x902, METHOD_BUFFERED, FILE_WRITE_ACCESS)
/* async. in: sensorhub_input {sensor, settle time in ms}; out: LONG, a fresh conversion taken
 * once the settle time has passed (ISensor::Sample) */
#define IOCTL_SENSORHUB_SAMPLE CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x903, METHOD_BUFFERED, FILE_READ_ACCESS)
/* async. in: sensorhub_input {sensor, threshold}; out: LONG, the first sample above the
 * threshold (IThresholdSensor::WaitAbove); pending until then */
#define IOCTL_SENSORHUB_WAIT_ABOVE CTL_CODE(SENSORHUB_DEVICE_TYPE, 0x904, METHOD_BUFFERED, FILE_READ_ACCESS)

#define SENSORHUB_SENSOR_COUNT 4
#define SENSORHUB_MAX_OFFSET 5000
#define SENSORHUB_MAX_SETTLE_MS 600000

typedef struct sensorhub_input {
    ULONG sensor; /* 0 .. SENSORHUB_SENSOR_COUNT - 1 */
    LONG value;   /* CALIBRATE: the offset; SAMPLE: the settle time in ms; WAIT_ABOVE: the threshold */
} sensorhub_input;

typedef struct sensorhub_info {
    ULONG sensor_count;
    ULONG sample_period_ms;
    ULONG samples;            /* taken by the sampler since the driver started */
    ULONG requests_pending;   /* async requests the driver holds now */
    ULONG requests_completed; /* async requests completed with a value */
    ULONG requests_canceled;  /* async requests completed with STATUS_CANCELLED */
} sensorhub_info;

#endif /* SENSORHUB_IOCTL_H */
