// The tiny test image: Debian's busybox-static binary, its applets as symlinks, the few
// files a login-less system needs, and an /sbin/init that stays up. Builds in well under a
// second, so every test file can make its own.
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { run, runOk } from '../exec.js';

/** Where Debian's busybox-static package puts its binary. */
export const HOST_BUSYBOX = '/bin/busybox';

// Not busybox init: on SIGTERM it sleeps a second between TERM and KILL to everyone and
// another before exiting, so every stop would take two seconds. A WPAR's PID 1 needs only
// to stay up, reap orphans (ash's wait reaps any child) and end promptly on SIGTERM.
const INIT = `#!/bin/sh
# PID 1 of a system WPAR made from Capstan's busybox image.
trap 'kill -TERM -1 2>/dev/null; exit 0' TERM INT
[ -x /etc/rc.local ] && /etc/rc.local
while :; do
  sleep 2147483647 &
  wait
  # Reached only if the sleep could not start: never spin.
  sleep 1
done
`;

const FILES: Record<string, string> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  'etc/hostname': 'busybox\n',
  'etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost\n',
  'etc/shells': '/bin/sh\n/bin/ash\n',
};

const DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'proc', 'sys', 'dev', 'run', 'var/log', 'var/tmp'];

/** Fills the empty directory `rootfs` with the busybox image and checks it runs there. */
export async function buildBusyboxRootfs(rootfs: string): Promise<void> {
  await Promise.all(DIRS.map((d) => mkdir(join(rootfs, d), { recursive: true })));
  await mkdir(join(rootfs, 'tmp'), { mode: 0o1777 });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await chmod(join(rootfs, 'var/tmp'), 0o1777);
  await chmod(join(rootfs, 'root'), 0o700);

  try {
    await copyFile(HOST_BUSYBOX, join(rootfs, 'bin/busybox'));
  } catch (e) {
    throw new CapstanError('CAP-E1013', `${HOST_BUSYBOX} is missing: install busybox-static (${(e as Error).message})`);
  }
  await chmod(join(rootfs, 'bin/busybox'), 0o755);

  // The applet list of the binary itself, as paths relative to /: bin/ls, usr/bin/awk…
  const { stdout } = await runOk(HOST_BUSYBOX, ['--list-full']);
  const applets = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('/') && !l.startsWith('/') && !l.includes('..') && l !== 'bin/busybox' && l !== 'sbin/init');
  for (const applet of applets) {
    await mkdir(join(rootfs, dirname(applet)), { recursive: true });
    await symlink('/bin/busybox', join(rootfs, applet));
  }

  for (const [path, content] of Object.entries(FILES)) await writeFile(join(rootfs, path), content, { mode: 0o644 });
  await writeFile(join(rootfs, 'sbin/init'), INIT, { mode: 0o755 });

  // A dynamically linked busybox (package "busybox" instead of "busybox-static") would be
  // copied without its libraries: find out now rather than at the first WPAR start.
  const check = await run('chroot', [rootfs, '/bin/busybox', 'true']);
  if (check.code !== 0) {
    throw new CapstanError('CAP-E1013', `${HOST_BUSYBOX} does not run inside the image (is it busybox-static?): ${check.stderr.trim()}`);
  }
}
