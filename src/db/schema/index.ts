export * from './reviews.js';
export * from './runs.js';
export * from './works.js';
export * from './screening.js';
