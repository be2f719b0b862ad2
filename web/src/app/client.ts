/**
 * @module The web app's one instance of `@constellate/client` (the same typed client the CLI uses): same
 * origin with the workspace cookie, the browser's WebSocket for live jobs, and XHR PUTs for byte-level
 * upload progress. Every HTTP call, retry and live connection of the app goes through it.
 */
import { ConstellateClient, xhrPutObject } from '@constellate/client'

export const client = new ConstellateClient({ baseUrl: '', credentials: 'same-origin', putObject: xhrPutObject })
