#!/usr/bin/env node
// The `constellate` command: loads the TypeScript sources through tsx's API, so no build step is needed.
import { tsImport } from 'tsx/esm/api'

const { main } = await tsImport('../src/main.ts', import.meta.url)
await main(process.argv.slice(2))
