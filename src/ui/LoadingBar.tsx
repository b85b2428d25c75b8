export function LoadingBar({ label, fraction, message }: { label: string; fraction: number; message: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  return (
    <div className="loading">
      <div className="loading-label">
        <span>{label}</span>
        <span>
          {message} · {percent}%
        </span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="bar">
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
