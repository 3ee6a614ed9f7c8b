// The partition engine: WPARs on this host through runc and CRIU.
export { Engine } from './engine.js';
export type {
  CheckpointMode,
  CheckpointOptions,
  EngineOptions,
  ExitRecord,
  RestartOptions,
  RestartResult,
  RootfsSource,
  WparInfo,
  WparStats,
} from './engine.js';
export type { Arrival } from './engine.js';
export { DEFAULT_ENGINE_ROOT, engineRootFromEnv } from './layout.js';
export { memoryTransfer } from './relocate.js';
export type {
  ArrivalOptions,
  Departure,
  DepartureOptions,
  DepartureOutcome,
  MemoryTransfer,
  PageEndpoint,
  PageReceiver,
  PageReceiverOptions,
  RelocationMethod,
} from './relocate.js';
export type { LogLevel } from './op-log.js';
export type { AppliedResources, EngineState } from './records.js';
export { HOST_IMAGE } from './teardown.js';
