/**
 * @module WebGL2 point drawing: every point is one GL point, its position blended on the GPU between the
 * previous and the next frame (`mix(from, to, t)`), so a transition costs one buffer upload per frame and
 * nothing per animation tick. Round, opaque, un-antialiased points: each pixel is exactly its point's
 * colour. A second pass draws emphasised points (selection, search matches, hover) on top with a ring.
 */
import type { Projection } from '../camera.ts'
import type { PointBackend, DrawParams } from './backend.ts'

const VERTEX = `#version 300 es
in vec3 a_from;
in vec3 a_to;
in vec4 a_color;
uniform float u_t;
uniform vec4 u_rowX;
uniform vec4 u_rowY;
uniform vec4 u_rowZ;
uniform vec2 u_viewport;
uniform float u_size;
out vec4 v_color;
void main() {
  if (a_color.a < 0.5) {
    gl_Position = vec4(4.0, 4.0, 4.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  vec4 p = vec4(mix(a_from, a_to, u_t), 1.0);
  float x = dot(u_rowX, p);
  float y = dot(u_rowY, p);
  gl_Position = vec4(x / u_viewport.x * 2.0 - 1.0, 1.0 - y / u_viewport.y * 2.0, clamp(dot(u_rowZ, p), -0.999, 0.999), 1.0);
  gl_PointSize = u_size;
  v_color = a_color;
}`

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_color;
uniform float u_ring;
out vec4 outColor;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(d, d);
  if (r2 > 1.0) discard;
  outColor = (u_ring > 0.0 && r2 > u_ring) ? vec4(0.11, 0.14, 0.19, 1.0) : vec4(v_color.rgb, 1.0);
}`

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!
  gl.shaderSource(shader, source)
  gl.compileShader(shader)
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(shader)}`)
  return shader
}

/** Whether the context renders on the CPU (names of the common software implementations). */
function isSoftwareRenderer(gl: WebGL2RenderingContext): boolean {
  const debug = gl.getExtension('WEBGL_debug_renderer_info')
  const name = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER))
  return /swiftshader|llvmpipe|softpipe|software/i.test(name)
}

export class GlPoints implements PointBackend {
  readonly kind = 'webgl2'
  readonly canvas: HTMLCanvasElement | OffscreenCanvas
  readonly #gl: WebGL2RenderingContext
  readonly #program: WebGLProgram
  readonly #uniforms: Record<string, WebGLUniformLocation | null>
  readonly #from: WebGLBuffer
  readonly #to: WebGLBuffer
  readonly #colors: WebGLBuffer
  readonly #overlay: WebGLBuffer
  readonly #vao: WebGLVertexArrayObject
  #n = 0
  #dims = 2
  #overlayCount = 0
  #hover = -1
  readonly maxPointSize: number

  /**
   * Throws when WebGL2 is not available, or (with `hardwareOnly`) when it would run in software
   * (SwiftShader, llvmpipe): there the CPU rasteriser is several times faster.
   */
  constructor(canvas: HTMLCanvasElement | OffscreenCanvas, hardwareOnly = false) {
    this.canvas = canvas
    const gl = canvas.getContext('webgl2', {
      antialias: false,
      alpha: false,
      depth: true,
      premultipliedAlpha: false,
      preserveDrawingBuffer: false,
      failIfMajorPerformanceCaveat: hardwareOnly,
    }) as WebGL2RenderingContext | null
    if (!gl) throw new Error(hardwareOnly ? 'No hardware-accelerated WebGL2' : 'WebGL2 is not available')
    if (hardwareOnly && isSoftwareRenderer(gl)) {
      gl.getExtension('WEBGL_lose_context')?.loseContext()
      throw new Error('WebGL2 runs in software here')
    }
    this.#gl = gl
    const program = gl.createProgram()!
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX))
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT))
    gl.bindAttribLocation(program, 0, 'a_from')
    gl.bindAttribLocation(program, 1, 'a_to')
    gl.bindAttribLocation(program, 2, 'a_color')
    gl.linkProgram(program)
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(program)}`)
    this.#program = program
    this.#uniforms = Object.fromEntries(['u_t', 'u_rowX', 'u_rowY', 'u_rowZ', 'u_viewport', 'u_size', 'u_ring'].map((name) => [name, gl.getUniformLocation(program, name)]))
    this.#from = gl.createBuffer()!
    this.#to = gl.createBuffer()!
    this.#colors = gl.createBuffer()!
    this.#overlay = gl.createBuffer()!
    this.#vao = gl.createVertexArray()!
    const range = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE) as Float32Array
    this.maxPointSize = range?.[1] ?? 64
  }

  resize(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width
    if (this.canvas.height !== height) this.canvas.height = height
  }

  setPositions(from: Float32Array, to: Float32Array, n: number, dims: number): void {
    const gl = this.#gl
    this.#n = n
    this.#dims = dims
    gl.bindVertexArray(this.#vao)
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#from)
    gl.bufferData(gl.ARRAY_BUFFER, from, gl.DYNAMIC_DRAW)
    gl.enableVertexAttribArray(0)
    gl.vertexAttribPointer(0, dims, gl.FLOAT, false, 0, 0)
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#to)
    gl.bufferData(gl.ARRAY_BUFFER, to, gl.DYNAMIC_DRAW)
    gl.enableVertexAttribArray(1)
    gl.vertexAttribPointer(1, dims, gl.FLOAT, false, 0, 0)
    gl.bindVertexArray(null)
  }

  setColors(rgba: Uint8Array): void {
    const gl = this.#gl
    gl.bindVertexArray(this.#vao)
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#colors)
    gl.bufferData(gl.ARRAY_BUFFER, rgba, gl.DYNAMIC_DRAW)
    gl.enableVertexAttribArray(2)
    gl.vertexAttribPointer(2, 4, gl.UNSIGNED_BYTE, true, 0, 0)
    gl.bindVertexArray(null)
  }

  setOverlay(indices: Uint32Array, hover: number): void {
    const gl = this.#gl
    this.#overlayCount = indices.length
    this.#hover = hover
    const all = hover >= 0 ? new Uint32Array(indices.length + 1) : indices
    if (hover >= 0) {
      all.set(indices)
      all[indices.length] = hover
    }
    gl.bindVertexArray(this.#vao)
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.#overlay)
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, all, gl.DYNAMIC_DRAW)
    gl.bindVertexArray(null)
  }

  draw(projection: Projection, params: DrawParams): void {
    const gl = this.#gl
    const u = this.#uniforms
    gl.viewport(0, 0, projection.width, projection.height)
    gl.clearColor(1, 1, 1, 1)
    gl.clearDepth(1)
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT)
    if (this.#n === 0) return
    gl.useProgram(this.#program)
    gl.bindVertexArray(this.#vao)
    gl.uniform1f(u.u_t!, params.t)
    gl.uniform4fv(u.u_rowX!, projection.rowX)
    gl.uniform4fv(u.u_rowY!, projection.rowY)
    gl.uniform4fv(u.u_rowZ!, projection.rowZ)
    gl.uniform2f(u.u_viewport!, projection.width, projection.height)
    const size = Math.min(this.maxPointSize, Math.max(1, Math.round(params.size)))
    gl.uniform1f(u.u_size!, size)
    gl.uniform1f(u.u_ring!, 0)
    // 3-D: nearest point wins. 2-D: later points cover earlier ones (LEQUAL at equal depth).
    gl.enable(gl.DEPTH_TEST)
    gl.depthFunc(gl.LEQUAL)
    gl.drawArrays(gl.POINTS, 0, this.#n)
    gl.disable(gl.DEPTH_TEST)
    if (this.#overlayCount > 0) {
      gl.uniform1f(u.u_size!, Math.min(this.maxPointSize, Math.round(size * 1.5 + 4)))
      gl.uniform1f(u.u_ring!, 0.45)
      gl.drawElements(gl.POINTS, this.#overlayCount, gl.UNSIGNED_INT, 0)
    }
    if (this.#hover >= 0) {
      gl.uniform1f(u.u_size!, Math.min(this.maxPointSize, Math.round(size * 2 + 8)))
      gl.uniform1f(u.u_ring!, 0.35)
      gl.drawElements(gl.POINTS, 1, gl.UNSIGNED_INT, this.#overlayCount * 4)
    }
    gl.bindVertexArray(null)
    void this.#dims
  }

  /** Waits for the GPU to finish (for benchmarks). */
  finish(): void {
    const pixel = new Uint8Array(4)
    this.#gl.readPixels(0, 0, 1, 1, this.#gl.RGBA, this.#gl.UNSIGNED_BYTE, pixel)
  }

  dispose(): void {
    const gl = this.#gl
    for (const buffer of [this.#from, this.#to, this.#colors, this.#overlay]) gl.deleteBuffer(buffer)
    gl.deleteVertexArray(this.#vao)
    gl.deleteProgram(this.#program)
    gl.getExtension('WEBGL_lose_context')?.loseContext()
  }
}
