// Labelmap editing: pure tool algorithms and segment state, shared by the renderer and tests.
export * from './brush';
export * from './flood';
export * from './history';
export * from './lasso';
export * from './mask';
export * from './patch';
export * from './segments';
