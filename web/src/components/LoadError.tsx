// Why a view could not load its data, announced; the view keeps what it last had.
import { describeError } from '../api/client.js';

export function LoadError({ error }: { error: unknown }) {
  if (!error) return null;
  return <p role="alert" className="form-error">Could not load: {describeError(error)}</p>;
}
