// A dialog that submits a task and then follows it in place: the task once there, and the
// heading that takes the focus then, so a screen reader says what the dialog shows now.
import { useEffect, useRef, useState } from 'react';
import type { TaskView } from '../../../src/api/tasks.js';

export function useFollowedTask() {
  const [task, setTask] = useState<TaskView>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (task) requestAnimationFrame(() => heading.current?.focus());
  }, [task?.id]);
  return { task, setTask, heading };
}
