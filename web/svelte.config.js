// Svelte 5 compiles `<script lang="ts">` itself; no preprocessors needed.
export default {}
