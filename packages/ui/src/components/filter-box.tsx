import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api.js';

/**
 * The search-grammar filter (`metrics.acc > 0.9 AND (params.model = 'gbt' OR tags.x LIKE 'a%')`),
 * applied on Enter; a syntax error is shown under the box with a caret under the wrong character.
 */
export function FilterBox({ value, error, onApply }: { value: string; error: ApiError | null; onApply: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const position = error?.position;
  const reason = error ? error.message.split('\n')[0] : '';
  return (
    <div class="filter">
      <input
        type="search"
        aria-label="filter"
        placeholder="metrics.accuracy > 0.9 AND params.model = 'gbt'   (Enter to apply)"
        value={text}
        spellcheck={false}
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          setText(v);
          // the box emptied (its ✕, or every character deleted): every run again
          if (v === '' && value !== '') onApply('');
        }}
        onKeyDown={(e) => e.key === 'Enter' && onApply(text.trim())}
      />
      {error && (
        <div class="error" data-testid="filter-error">
          {position !== undefined && <div class="caret">{`${' '.repeat(position)}^`}</div>}
          {reason}
        </div>
      )}
    </div>
  );
}
