// Where the manager serves the API; shared by the manager, the CLI and the console.
export const API_PREFIX = '/api/v1';
/** The console's login session cookie. */
export const SESSION_COOKIE = 'capstan_session';
