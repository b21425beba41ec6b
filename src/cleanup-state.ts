/** The saved-state key under which main records files for the post step to remove. */
export const CLEANUP_STATE = 'cleanup-files';
