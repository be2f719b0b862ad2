import { describe, expect, it } from 'vitest'
import { categoricalColor, categoricalPalette, hexToOklab, hexToRgb, labDistance, MISSING_LABEL_COLOR, TABLEAU_10 } from './palette.ts'

function distance(a: string, b: string): number {
  const [r1, g1, b1] = hexToRgb(a)
  const [r2, g2, b2] = hexToRgb(b)
  return Math.hypot(r1 - r2, g1 - g2, b1 - b2)
}

describe('categorical palette', () => {
  it('starts with Tableau 10 so ten digit classes get the familiar colours', () => {
    expect(categoricalPalette(10)).toEqual([...TABLEAU_10])
  })

  it('gives every one of 200 classes its own exact colour', () => {
    const palette = categoricalPalette(200)
    expect(new Set(palette).size).toBe(200)
    for (const color of palette) expect(color).toMatch(/^#[0-9a-f]{6}$/)
  })

  it('keeps the first 30 classes visibly apart from each other', () => {
    const palette = categoricalPalette(30)
    let closest = Infinity
    for (let i = 0; i < palette.length; i++) {
      for (let j = i + 1; j < palette.length; j++) closest = Math.min(closest, distance(palette[i]!, palette[j]!))
    }
    expect(closest).toBeGreaterThan(12)
  })

  it('keeps classes 21 to 40 perceptibly apart from every earlier class', () => {
    const palette = categoricalPalette(40).map(hexToOklab)
    for (let i = 20; i < 40; i++) {
      for (let j = 0; j < i; j++) expect(labDistance(palette[i]!, palette[j]!)).toBeGreaterThan(0.04)
    }
  })

  it('never uses white, the canvas background, for a class', () => {
    for (const color of categoricalPalette(100)) expect(distance(color, '#ffffff')).toBeGreaterThan(40)
  })

  it('greys out a missing label', () => {
    expect(categoricalColor(-1)).toBe(MISSING_LABEL_COLOR)
  })
})
