// Tasks in a table: what, on what, by whom, how far, how it ended.
import type { TaskView } from '../../../../src/api/tasks.js';
import { Link } from '../../app/router.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';

const COLUMNS: Column<TaskView>[] = [
  { key: 'kind', header: 'Task', cell: (t) => <Link to={`/tasks/${t.id}`}>{t.kind}</Link>, sortValue: (t) => t.kind },
  { key: 'target', header: 'Target', cell: (t) => (t.target ? `${t.target.kind} ${t.target.name}` : '—'), sortValue: (t) => t.target?.name ?? '' },
  { key: 'status', header: 'Status', cell: (t) => <StateBadge state={t.status} />, sortValue: (t) => t.status },
  { key: 'progress', header: 'Progress', cell: (t) => <progress max={1} value={t.progress} aria-label={`Progress of ${t.kind}`} /> },
  { key: 'by', header: 'Submitted by', cell: (t) => t.createdBy ?? '—', sortValue: (t) => t.createdBy ?? '' },
  { key: 'created', header: 'Submitted', cell: (t) => formatTime(t.createdAt), sortValue: (t) => t.createdAt },
  { key: 'ended', header: 'Ended', cell: (t) => formatTime(t.endedAt), sortValue: (t) => t.endedAt ?? '' },
  { key: 'error', header: 'Error', cell: (t) => (t.error ? `${t.error.code}: ${t.error.message}` : '') },
];

export function TaskTable({ tasks, caption }: { tasks: readonly TaskView[]; caption: string }) {
  return <DataTable caption={caption} rows={tasks} columns={COLUMNS} rowKey={(t) => t.id} empty="No tasks." />;
}
