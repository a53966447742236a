import { createTestSchema } from '../../testing/postgres-schema.js';
import { needs } from '../../testing/services.js';
import { ownerBindingsContract } from '../owner-bindings.case.test.js';
import { PostgresStore } from './postgres-store.js';

const postgres = await needs('postgres');

postgres.describe('PostgreSQL', () =>
  ownerBindingsContract('postgres', async (clock) => {
    const schema = await createTestSchema('wxtrack_owners');
    const store = await PostgresStore.open({ pool: schema.pool(), clock });
    return {
      backend: store,
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  }),
);
