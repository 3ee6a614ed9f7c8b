// The partition engine: WPARs on this host through runc and CRIU.
export { Engine } from './engine.js';
export type { CheckpointOptions, RestartResult } from './checkpoint.js';
export type { EngineOptions, RootfsSource } from './context.js';
export type { WparInfo } from './info.js';
export type { RestartOptions } from './restore.js';
export type { WparStats } from './runc.js';
export type { CheckpointMode } from './state-dir.js';
export { DEFAULT_ENGINE_ROOT, engineRootFromEnv } from './layout.js';
export { memoryTransfer } from './relocate/methods.js';
export type { MemoryTransfer, RelocationMethod } from './relocate/methods.js';
export type { Arrival, ArrivalOptions } from './relocate/arrival.js';
export type { Departure, DepartureOptions, DepartureOutcome } from './relocate/departure.js';
export type { PageReceiver, PageReceiverOptions } from './relocate/page-server.js';
export type { PageEndpoint } from './relocate/transport.js';
export type { LogLevel } from './op-log.js';
export type { AppliedResources, EngineState, ExitRecord } from './records.js';
export { HOST_IMAGE } from './teardown.js';
