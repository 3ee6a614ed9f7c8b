// The host image store: base root filesystems for WPARs.
export { ImageStore, IMAGE_NAME_PATTERN, validateImageName } from './store.js';
export type { ImageInfo, ImageSource } from './store.js';
export { HOST_BUSYBOX } from './busybox.js';
