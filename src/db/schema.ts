// Drizzle tables: the one source of column types. `npm run db:generate` turns changes into migrations/.
export {};
