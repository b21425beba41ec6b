import type { ToolCall } from './harness.js';

/** A call that changes cloud or cluster state, judged from its arguments as a reviewer would. */
export function isChangingCall(call: ToolCall): boolean {
  const a = call.args;
  switch (call.tool) {
    case 'terraform':
      return a[0] === 'apply' || a[0] === 'force-unlock';
    case 'helm':
      return ['upgrade', 'install', 'uninstall', 'delete', 'rollback'].includes(a[0] ?? '');
    case 'kubectl':
      return ['apply', 'create', 'delete', 'patch', 'annotate', 'label'].includes(a[0] ?? '');
    case 'gcloud':
      return (
        (a[0] === 'storage' && ['create', 'update', 'delete'].includes(a[2] ?? '')) ||
        (a[0] === 'storage' && a[1] === 'rm') ||
        (a[0] === 'sql' && ['create', 'restore', 'delete', 'patch'].includes(a[2] ?? '')) ||
        (a[0] === 'iap' &&
          a.some((x) => ['enable', 'add-iam-policy-binding', 'disable'].includes(x)))
      );
  }
}
