const path = require('node:path');
const { task, src, dest } = require('gulp');

/** Icons and codex files go beside the compiled nodes and credentials. */
task('build:assets', () =>
	src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { encoding: false, base: '.' }).pipe(
		dest(path.resolve('dist')),
	),
);
