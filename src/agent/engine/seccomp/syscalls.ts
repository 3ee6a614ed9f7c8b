// The system calls of the WPARs' seccomp profile (x86_64), by what they are for. Our own
// list, in the manner of the containers' common default: what ordinary programs need
// (busybox, a Debian userland, systemd as init, and the tasks CRIU restores), nothing that
// reaches past the WPAR's namespaces, and more only for a capability the WPAR was granted.

/** Allowed in every WPAR. The kernel's own permission checks still apply to each. */
export const BASE_SYSCALLS: readonly string[] = [
  // Files and directories.
  'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'lseek',
  'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs',
  'access', 'faccessat', 'faccessat2', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir',
  'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat', 'unlink', 'unlinkat',
  'symlink', 'symlinkat', 'readlink', 'readlinkat', 'mknod', 'mknodat',
  'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown', 'lchown', 'fchownat', 'umask',
  'truncate', 'ftruncate', 'fallocate', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range',
  'fadvise64', 'readahead', 'dup', 'dup2', 'dup3', 'fcntl', 'flock', 'ioctl',
  'utime', 'utimes', 'utimensat', 'futimesat',
  'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'pipe', 'pipe2',
  'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr',
  'setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
  'memfd_create', 'name_to_handle_at', 'cachestat',
  // Memory.
  'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'remap_file_pages',
  'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'membarrier', 'mseal',
  'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'get_mempolicy', 'map_shadow_stack',
  // Threads and their start-up (libc, the dynamic loader).
  'arch_prctl', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq',
  'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue',
  // Processes. clone and unshare are filtered by flag (see profile.ts); clone3 hides its
  // flags from seccomp, so it answers ENOSYS and libc falls back to clone.
  'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid',
  'kill', 'tgkill', 'tkill', 'pidfd_open', 'pidfd_send_signal',
  'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
  'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'sched_yield',
  'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam',
  'sched_getscheduler', 'sched_setscheduler', 'sched_get_priority_max', 'sched_get_priority_min',
  'sched_rr_get_interval', 'sched_getattr', 'sched_setattr',
  'prctl', 'capget', 'capset', 'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times',
  'uname', 'sysinfo', 'getcpu', 'restart_syscall',
  // Identity (the kernel decides what a change may be).
  'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups',
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
  // Signals.
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigsuspend',
  'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'pause', 'alarm', 'signalfd', 'signalfd4',
  // Time, read only; setting the clock is CAP_SYS_TIME's.
  'nanosleep', 'clock_nanosleep', 'clock_gettime', 'clock_getres', 'gettimeofday', 'time',
  'getitimer', 'setitimer', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete',
  'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
  // Waiting on events, asynchronous I/O (io_uring is left out: see NEVER_SYSCALLS).
  'poll', 'ppoll', 'select', 'pselect6', 'epoll_create', 'epoll_create1', 'epoll_ctl',
  'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'eventfd', 'eventfd2',
  'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents',
  // Sockets; raw and packet sockets still need CAP_NET_RAW from the kernel.
  'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'setsockopt', 'getsockopt',
  // System V and POSIX IPC, private to the WPAR's IPC namespace.
  'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'semget', 'semop', 'semtimedop', 'semctl',
  'shmget', 'shmat', 'shmdt', 'shmctl',
  'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
  // Sandboxing a program narrows itself further (systemd's services, browsers).
  'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
  'getrandom',
];

/**
 * What a granted capability adds: the calls the kernel checks that capability for, which
 * the profile would otherwise refuse before the kernel is asked.
 */
export const CAPABILITY_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_ADMIN: [
    'mount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount',
    'open_tree', 'mount_setattr', 'setns', 'unshare', 'clone', 'clone3', 'sethostname', 'setdomainname',
    'quotactl', 'quotactl_fd', 'swapon', 'swapoff', 'fanotify_init', 'lookup_dcookie', 'bpf', 'perf_event_open',
  ],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module'],
  CAP_SYS_TIME: ['settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_PTRACE: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd', 'process_madvise'],
  CAP_SYSLOG: ['syslog'],
  CAP_SYS_NICE: ['mbind', 'set_mempolicy', 'set_mempolicy_home_node', 'migrate_pages', 'move_pages'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
};

/**
 * Refused whatever the WPAR was granted: they act on the host's kernel as a whole (kernel
 * keyrings are not namespaced, kexec replaces the kernel) or have been a steady source of
 * kernel exploits (userfaultfd, io_uring). Listed for the record and for the tests; the
 * profile refuses them by not allowing them.
 */
export const NEVER_SYSCALLS: readonly string[] = [
  'keyctl', 'add_key', 'request_key', 'kexec_load', 'kexec_file_load', 'userfaultfd',
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'modify_ldt', 'uselib', 'ustat', 'sysfs',
  '_sysctl', 'nfsservctl',
];
