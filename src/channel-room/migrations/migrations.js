import journal from './meta/_journal.json';
import m0000 from './0000_init.sql';
import m0001 from './0001_rich_messages.sql';
import m0002 from './0002_fts.sql';
import m0003 from './0003_e2ee.sql';
import m0004 from './0004_attachments.sql';
import m0005 from './0005_blocks_peer.sql';
import m0006 from './0006_timeline_events.sql';
import m0007 from './0007_e2ee_leave.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007
    }
  }
  