/** HTML escaping for text (class names, captions) put into `text/html`: the display area's one implementation. */
export { escapeHtml } from '../display/adapters/html';
