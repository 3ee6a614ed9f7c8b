// The Debian mirror and release this host itself uses, so images are built from the same
// (reachable, trusted) source as the host's own packages.
import { readFile } from 'node:fs/promises';

const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

/** First non-security URI in the host's apt sources (deb822 first, then the one-line format). */
export async function hostDebianMirror(): Promise<string> {
  const deb822 = await readFile('/etc/apt/sources.list.d/debian.sources', 'utf8').catch(() => '');
  for (const stanza of deb822.split(/\n\s*\n/)) {
    const uris = /^URIs:\s*(.+)$/m.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
    const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
    const enabled = !/^Enabled:\s*no/im.test(stanza);
    const uri = uris.find((u) => !u.includes('security'));
    if (enabled && uri && !suites.includes('-security')) return uri;
  }
  const oneLine = await readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  for (const line of oneLine.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'deb' || line.includes('security')) continue;
    const uri = words.find((w) => /^[a-z]+:\/\//.test(w));
    if (uri) return uri;
  }
  return FALLBACK_MIRROR;
}

/** The host's release codename (bookworm on these machines). */
export async function hostDebianSuite(): Promise<string> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^VERSION_CODENAME=["']?([a-z]+)/m.exec(osRelease)?.[1] ?? 'bookworm';
}
