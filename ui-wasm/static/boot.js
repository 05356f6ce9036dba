// Loads the WebAssembly module; its start function mounts the screens into the body.
import init from './plexdl_ui.js';

init().catch((error) => {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = 'The screens could not be loaded: ' + error;
  document.body.appendChild(message);
});
