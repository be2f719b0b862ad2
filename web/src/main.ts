/** @module Entry point: mounts the app. */
import { mount } from 'svelte'
import App from './App.svelte'
import './app.css'
// The upload forms' shared rules (pickers, submit rows), after app.css so they win over its base rules.
import './upload/upload-forms.css'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

export default mount(App, { target })
