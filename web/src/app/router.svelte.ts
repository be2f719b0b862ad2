/** @module Path-based navigation with the History API: the current route as shared state. */
import { isAppPath, matchRoute, type Route } from './routes.ts'

export const router = $state<{ route: Route }>({ route: matchRoute(window.location.pathname) })

/** Shows the page for `path`, adding a history entry (or replacing the current one). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  router.route = matchRoute(new URL(path, window.location.href).pathname)
  window.scrollTo(0, 0)
}

/** Keeps the route in step with back/forward and turns clicks on in-app links into pushState. */
export function installRouter(): () => void {
  const onPopState = () => {
    router.route = matchRoute(window.location.pathname)
  }
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const anchor = (event.target as Element | null)?.closest?.('a')
    if (!anchor || anchor.hasAttribute('download') || (anchor.target && anchor.target !== '_self')) return
    const url = new URL(anchor.href, window.location.href)
    if (url.origin !== window.location.origin || !isAppPath(url.pathname)) return
    event.preventDefault()
    navigate(url.pathname + url.search + url.hash)
  }
  window.addEventListener('popstate', onPopState)
  document.addEventListener('click', onClick)
  return () => {
    window.removeEventListener('popstate', onPopState)
    document.removeEventListener('click', onClick)
  }
}
