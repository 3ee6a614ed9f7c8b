// Shell, replaced by the module's owner this session.
import type { Services } from '../../services.js';
import type { App } from '../types.js';

export async function authRoutes(_app: App, _services: Services): Promise<void> {}
