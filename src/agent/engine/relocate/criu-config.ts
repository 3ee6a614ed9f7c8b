// CRIU's configuration file for a relocation's dump or restore.
import { writeFile } from 'node:fs/promises';
import { readJsonIfExists } from '../json-file.js';
import { CRIU_CONFIG_ANNOTATION } from '../oci-config.js';
import type { PageEndpoint } from './transport.js';

/**
 * Writes CRIU's configuration for a relocation's dump or restore. runc hands it to CRIU
 * (the container's CRIU_CONFIG_ANNOTATION), which applies it over runc's own options; for a
 * container started without the annotation, CRIU reads it from $CRIU_CONFIG_FILE at start,
 * before runc's options, which then win.
 *
 * CRIU's network lock is skipped: the departure takes the WPAR's interfaces off the bridge
 * before the dump, the arrival puts them on after the restore, so no packet reaches the
 * sockets meanwhile; locking (iptables in the WPAR's namespace) would only add to the frozen
 * time. A post-copy dump's page server listens at `lazy.at`: runc passes CRIU only the port.
 * Where runc applies the file last (`overRunc`), the lazy dump is asked for here rather than
 * with runc's --lazy-pages, which first starts another CRIU just to check for the feature,
 * while the WPAR is frozen (some 25 ms here).
 */
export async function writeCriuConfig(file: string, lazy?: { at: PageEndpoint; overRunc: boolean }): Promise<void> {
  const lines = ['network-lock skip', ...(lazy ? [`address ${lazy.at.host}`, ...(lazy.overRunc ? ['lazy-pages', `port ${lazy.at.port}`] : [])] : [])];
  await writeFile(file, `${lines.join('\n')}\n`);
}

/** Whether the container runs with `file` as its CRIU configuration (it started with the annotation). */
export async function criuConfigByRunc(configJson: string, file: string): Promise<boolean> {
  const config = await readJsonIfExists<{ annotations?: Record<string, string> }>(configJson).catch(() => undefined);
  return config?.annotations?.[CRIU_CONFIG_ANNOTATION] === file;
}
