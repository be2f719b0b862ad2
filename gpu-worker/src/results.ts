/** @module The files a finished job leaves in storage: embedding.npy, embedding.csv, manifest, metrics. */
import { encodeNpyFloat32 } from '@constellate/shared'

/** CSV with a header row: x,y[,z][,label]; labels quoted when they contain separators or quotes. */
export function embeddingCsv(embedding: Float32Array, n: number, dims: number, labels?: { classes: string[]; codes: Int32Array }): string {
  const axes = ['x', 'y', 'z'].slice(0, dims)
  const lines: string[] = [[...axes, ...(labels ? ['label'] : [])].join(',')]
  for (let i = 0; i < n; i++) {
    const row: string[] = []
    for (let k = 0; k < dims; k++) row.push(String(embedding[i * dims + k]))
    if (labels) row.push(csvField(labels.classes[labels.codes[i]!] ?? ''))
    lines.push(row.join(','))
  }
  return lines.join('\n') + '\n'
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export function embeddingNpy(embedding: Float32Array, n: number, dims: number): Uint8Array {
  return encodeNpyFloat32(embedding, [n, dims])
}
