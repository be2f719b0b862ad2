import { describe, expect, it } from 'vitest'
import { reconnectDelay, RECONNECT } from './reconnect.ts'

describe('reconnect backoff', () => {
  it('doubles from half a second', () => {
    expect(reconnectDelay(0, () => 1)).toBe(500)
    expect(reconnectDelay(1, () => 1)).toBe(1000)
    expect(reconnectDelay(3, () => 1)).toBe(4000)
  })

  it('caps at fifteen seconds however many attempts failed', () => {
    expect(reconnectDelay(50, () => 1)).toBe(RECONNECT.maxMs)
  })

  it('jitters by at most a quarter downwards', () => {
    expect(reconnectDelay(2, () => 0)).toBe(1500)
  })
})
