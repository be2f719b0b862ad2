/** @module The app's pages and how a URL path maps to one. */

export type Route =
  | { page: 'upload' }
  | { page: 'tokens' }
  | { page: 'job'; jobId: string }
  | { page: 'shared'; token: string }
  | { page: 'not-found'; path: string }

/** The route for a URL path; trailing slashes are ignored. */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/') return { page: 'upload' }
  if (path === '/tokens') return { page: 'tokens' }
  const job = /^\/jobs\/([^/]+)$/.exec(path)
  if (job) {
    try {
      return { page: 'job', jobId: decodeURIComponent(job[1]!) }
    } catch {
      return { page: 'not-found', path }
    }
  }
  const shared = /^\/v\/([^/]+)$/.exec(path)
  if (shared) {
    try {
      return { page: 'shared', token: decodeURIComponent(shared[1]!) }
    } catch {
      return { page: 'not-found', path }
    }
  }
  return { page: 'not-found', path }
}

/** Whether the page was opened for an iframe (`?embed=1`): the map alone, without the site's chrome. */
export function isEmbed(search: string): boolean {
  const value = new URLSearchParams(search).get('embed')
  return value === '1' || value === 'true'
}

export function jobPath(jobId: string): string {
  return `/jobs/${encodeURIComponent(jobId)}`
}

/** Whether a same-origin link to `pathname` is one of our pages (and not the API or a download). */
export function isAppPath(pathname: string): boolean {
  return !pathname.startsWith('/api/') && matchRoute(pathname).page !== 'not-found'
}
