// Online backups of the manager's database: the files, and starting one (a task).
import type { BackupFile } from '../../../../src/api/backup.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, describeError } from '../../api/client.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { formatBytes, formatTime } from '../../lib/format.js';
import { track } from '../../lib/tracked-tasks.js';
import { usePoll } from '../../lib/usePoll.js';
import { useState } from 'react';

const COLUMNS: Column<BackupFile>[] = [
  { key: 'name', header: 'File', cell: (b) => b.name, sortValue: (b) => b.name },
  { key: 'db', header: 'Database', cell: (b) => b.dbKind, sortValue: (b) => b.dbKind },
  { key: 'size', header: 'Size', cell: (b) => formatBytes(b.sizeBytes), sortValue: (b) => b.sizeBytes },
  { key: 'created', header: 'Made', cell: (b) => formatTime(b.createdAt), sortValue: (b) => b.createdAt },
];

export default function BackupsView() {
  const list = usePoll(() => call(routes.backups.list), []);
  const [error, setError] = useState<string>();
  const start = () => call(routes.backups.start).then(track, (e: unknown) => setError(describeError(e)));
  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">Database backups</h1>
      <p>Restoring is done offline with <code>capstan db restore FILE</code> while the manager is stopped.</p>
      <div className="toolbar"><button type="button" onClick={() => void start()}>Back up now</button></div>
      {error && <p role="alert" className="form-error">{error}</p>}
      <LoadError error={list.error} />
      <DataTable caption="Backups, newest first" rows={list.data?.items ?? []} columns={COLUMNS} rowKey={(b) => b.name} empty="No backups yet." />
    </section>
  );
}
