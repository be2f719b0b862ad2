import { describe, expect, it } from 'vitest'
import { CAMERA_DEFAULT, cameraFromText, cameraToText, panCamera, projection, projectPoint, zoomCameraAt } from './camera.ts'

const extent2d = { bounds: { min: [-10, -5], max: [10, 5] }, radius: 0 }

describe('the camera', () => {
  it('fits the whole 2-D map inside the margins at zoom 1', () => {
    const p = projection(extent2d, '2d', CAMERA_DEFAULT, 400, 300, 20)
    const [left, top] = projectPoint(p, -10, 5)
    const [right, bottom] = projectPoint(p, 10, -5)
    expect(left).toBeCloseTo(20)
    expect(right).toBeCloseTo(380)
    expect(top).toBeGreaterThanOrEqual(20)
    expect(bottom).toBeLessThanOrEqual(280)
    expect((top + bottom) / 2).toBeCloseTo(150)
  })

  it('keeps the point under the cursor in place when zooming', () => {
    const before = projection(extent2d, '2d', CAMERA_DEFAULT, 400, 300, 20)
    const camera = zoomCameraAt(CAMERA_DEFAULT, 3, 100, 80, 400, 300, before.half)
    const after = projection(extent2d, '2d', camera, 400, 300, 20)
    // The data point that was at (100, 80) is still there.
    const x = (100 - before.rowX[3]) / before.rowX[0]
    const y = (80 - before.rowY[3]) / before.rowY[1]
    const [px, py] = projectPoint(after, x, y)
    expect(px).toBeCloseTo(100, 3)
    expect(py).toBeCloseTo(80, 3)
  })

  it('pans with the pointer', () => {
    const p = projection(extent2d, '2d', CAMERA_DEFAULT, 400, 300, 20)
    const moved = projection(extent2d, '2d', panCamera(CAMERA_DEFAULT, 30, -12, p.half), 400, 300, 20)
    const [x0, y0] = projectPoint(p, 1, 2)
    const [x1, y1] = projectPoint(moved, 1, 2)
    expect(x1 - x0).toBeCloseTo(30)
    expect(y1 - y0).toBeCloseTo(-12)
  })

  it('keeps every 3-D point inside the canvas whatever the rotation', () => {
    const extent = { bounds: { min: [-1, -1, -1], max: [1, 1, 1] }, radius: Math.sqrt(3) }
    for (const yaw of [0, 0.7, 2, 4]) {
      const p = projection(extent, '3d', { ...CAMERA_DEFAULT, yaw, pitch: 0.5 }, 300, 300, 10)
      for (const corner of [[1, 1, 1], [-1, 1, -1], [1, -1, -1], [-1, -1, 1]] as const) {
        const [x, y] = projectPoint(p, corner[0], corner[1], corner[2])
        expect(x).toBeGreaterThanOrEqual(9.99)
        expect(x).toBeLessThanOrEqual(290.01)
        expect(y).toBeGreaterThanOrEqual(9.99)
        expect(y).toBeLessThanOrEqual(290.01)
      }
    }
  })

  it('round-trips through URL text and refuses nonsense', () => {
    const camera = { x: 0.25, y: -1.5, zoom: 4, yaw: 1.2, pitch: -0.3 }
    expect(cameraFromText(cameraToText(camera))).toEqual(camera)
    expect(cameraFromText('1,2,3')).toBeNull()
    expect(cameraFromText('0,0,-1,0,0')).toBeNull()
  })
})
