/** Office: task management (add, edit, re-assign, decompose; import and export). */
import { Notice } from '../forms.tsx';

export default function Manage() {
  return <Notice kind="info">任务管理功能正在建设中。</Notice>;
}
