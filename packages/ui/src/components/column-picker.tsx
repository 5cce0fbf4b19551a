import { useEffect, useRef, useState } from 'preact/hooks';

/** Checkboxes for every param, metric and tag key in the experiment; the choice is remembered. */
export function ColumnPicker({ keys, chosen, onChange, onClose }: { keys: { params: string[]; metrics: string[]; tags: string[] }; chosen: string[]; onChange: (cols: string[]) => void; onClose: () => void }) {
  const [q, setQ] = useState('');
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const away = (e: MouseEvent) => el.current && !el.current.contains(e.target as Node) && onClose();
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('mousedown', away);
    addEventListener('keydown', escape);
    return () => {
      removeEventListener('mousedown', away);
      removeEventListener('keydown', escape);
    };
  }, []);
  const toggle = (col: string) => onChange(chosen.includes(col) ? chosen.filter((c) => c !== col) : [...chosen, col]);
  const group = (title: string, entity: string, list: string[]) => {
    const shown = list.filter((k) => k.toLowerCase().includes(q.toLowerCase()));
    if (shown.length === 0) return null;
    return (
      <>
        <h4>{title}</h4>
        {shown.map((k) => (
          <label key={k}>
            <input type="checkbox" checked={chosen.includes(`${entity}.${k}`)} onChange={() => toggle(`${entity}.${k}`)} /> {k}
          </label>
        ))}
      </>
    );
  };
  return (
    <div class="picker" ref={el} data-testid="column-picker">
      <input type="search" placeholder="find a key" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} style={{ width: '100%' }} />
      {group('Metrics', 'metrics', keys.metrics)}
      {group('Parameters', 'params', keys.params)}
      {group('Tags', 'tags', keys.tags)}
      <div style={{ marginTop: '8px' }}>
        <button onClick={() => onChange([])}>None</button> <button onClick={onClose}>Done</button>
      </div>
    </div>
  );
}
