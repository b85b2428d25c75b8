import type { LoadProgress } from '../executor/types';

export function LoadingBar({ label, progress }: { label: string; progress: LoadProgress }) {
  const percent = Math.round(progress.fraction * 100);
  return (
    <div className="loading">
      <div className="loading-label">
        <span>{label}</span>
        <span>{progress.message} · {percent}%</span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="bar">
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
