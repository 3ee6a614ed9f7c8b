// The last part of a post-copy arrival (see lazy-pages.ts): the shell that ran the
// lazy-pages daemon runs this once the daemon ended, to record how the memory transfer went,
// unless an engine waiting for the memory did already.
//
//   node pages-reaper.js <engineRoot> <wparName> <token> <daemon's exit status>
//
// The engine's scope comes in $CAPSTAN_ENGINE_SCOPE.
import { Layout } from '../layout.js';
import { settleArrival } from './lazy-pages.js';

async function main(): Promise<void> {
  const [root, name, token, status] = process.argv.slice(2);
  if (!root || !name || !token || !status) throw new Error('usage: pages-reaper <root> <name> <token> <status>');
  await settleArrival(new Layout(root, process.env.CAPSTAN_ENGINE_SCOPE ?? ''), name, token, Number(status));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
