// The polite live region that reads out announce()'s messages.
import { useEffect, useState } from 'react';
import { onAnnounce } from '../lib/announce.js';

export function Announcer() {
  const [message, setMessage] = useState('');
  useEffect(() => onAnnounce(setMessage), []);
  return <div className="visually-hidden" role="status" aria-live="polite">{message}</div>;
}
