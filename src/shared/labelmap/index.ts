// Labelmap editing: pure tool algorithms and segment state, shared by the renderer and tests.

export * from './bits';
export * from './brush';
export * from './channels';
export * from './flood';
export * from './history';
export * from './lasso';
export * from './mask';
export * from './patch';
export * from './payload';
export * from './segments';
