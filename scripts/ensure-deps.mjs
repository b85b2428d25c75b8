#!/usr/bin/env node
// Installs the npm packages (npm ci) only when they are missing or were installed from another
// package-lock.json, so `npm start` and `npm test` set up a fresh machine without reinstalling
// on every run. The lockfile's hash is kept next to the packages once an install has finished.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const STAMP = 'node_modules/.tabula-lockfile-sha256';
const wanted = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const installed = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';

if (installed !== wanted) {
  console.log(installed ? 'package-lock.json changed: reinstalling the npm packages (npm ci)' : 'installing the npm packages (npm ci)');
  const result = spawnSync('npm', ['ci', '--prefer-offline'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `${wanted}\n`);
}
