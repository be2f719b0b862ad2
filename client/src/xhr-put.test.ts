import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConstellateError } from './errors.ts'
import { storageErrorMessage, xhrPutObject } from './xhr-put.ts'

/** Stands in for the browser's XMLHttpRequest: records the request and lets the test play storage's part. */
class FakeXhr {
  static last: FakeXhr | null = null
  method = ''
  url = ''
  sent: Blob | null = null
  status = 0
  responseText = ''
  headers: Record<string, string> = {}
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  aborted = false
  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string): void {
    this.method = method
    this.url = url
  }
  send(body: Blob): void {
    this.sent = body
  }
  getResponseHeader(name: string): string | null {
    return this.headers[name.toLowerCase()] ?? null
  }
  abort(): void {
    this.aborted = true
    this.onabort?.()
  }
}

describe('the browser storage PUT', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends the bytes without a content type, reports progress and resolves with the ETag', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const progress: number[] = []
    const put = xhrPutObject('http://s3.test/bucket/key?X-Amz-Signature=abc', new Uint8Array([1, 2, 3, 4]), (sent) => progress.push(sent))
    const xhr = FakeXhr.last!
    expect([xhr.method, xhr.url]).toEqual(['PUT', 'http://s3.test/bucket/key?X-Amz-Signature=abc'])
    expect(xhr.sent!.size).toBe(4)
    expect(xhr.sent!.type).toBe('')
    xhr.upload.onprogress!({ lengthComputable: true, loaded: 2 })
    xhr.upload.onprogress!({ lengthComputable: false, loaded: 3 })
    xhr.status = 200
    xhr.headers.etag = '"etag-1"'
    xhr.onload!()
    await expect(put).resolves.toBe('"etag-1"')
    expect(progress).toEqual([2, 4])
  })

  it('passes on what storage said when it refuses the file', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const put = xhrPutObject('http://s3.test/k', new Blob(['abc']))
    const xhr = FakeXhr.last!
    xhr.status = 403
    xhr.responseText = '<Error><Code>SignatureDoesNotMatch</Code><Message>The signature does not match.</Message></Error>'
    xhr.onload!()
    const error = await put.catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(ConstellateError)
    expect(error).toMatchObject({ status: 403, code: 'storage_error', message: 'Storage refused the file (HTTP 403): The signature does not match.' })
  })

  it('says the connection failed, and stops when aborted', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const failed = xhrPutObject('http://s3.test/k', new Blob(['abc']))
    FakeXhr.last!.onerror!()
    await expect(failed).rejects.toMatchObject({ status: 0, code: 'network_error' })

    const controller = new AbortController()
    const aborted = xhrPutObject('http://s3.test/k', new Blob(['abc']), undefined, controller.signal)
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'aborted' })
    expect(FakeXhr.last!.aborted).toBe(true)
  })

  it('reads the message of an S3 XML error', () => {
    expect(storageErrorMessage('<Error><Code>SignatureDoesNotMatch</Code><Message>The signature does not match.</Message></Error>')).toBe('The signature does not match.')
    expect(storageErrorMessage('')).toBeNull()
  })
})
