// What keeps a WPAR's processes from its host beyond namespaces and capabilities: the
// seccomp profile, /proc and /sys paths hidden or read-only, and no privilege gained by
// exec (set-uid files, file capabilities). Set here, not left to runc's defaults, so every
// WPAR has them whatever `runc spec` of this host prints.
import type { OciConfig } from './oci-config.js';
import { seccompProfile } from './seccomp/profile.js';

/** Hidden (an empty file or directory in their place): they tell of, or act on, the host's kernel and hardware. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats',
  '/sys/devices/virtual/powercap', '/sys/firmware',
];

/** Readable, never writable: the kernel's settings for the whole host. */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Hardens `config` for a WPAR holding `capabilities`. */
export function harden(config: OciConfig, capabilities: readonly string[]): void {
  config.process.noNewPrivileges = true;
  config.linux.seccomp = seccompProfile(capabilities);
  config.linux.maskedPaths = [...MASKED_PATHS];
  config.linux.readonlyPaths = [...READONLY_PATHS];
}
