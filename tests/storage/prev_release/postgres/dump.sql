--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    name text,
    key_hash character varying(64) NOT NULL,
    hint character varying(32) NOT NULL,
    xpert_id character varying(128),
    expires_at double precision,
    revoked_at double precision,
    created_at double precision NOT NULL
);


--
-- Name: assistant_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assistant_versions (
    assistant_id character varying(128) NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    description text,
    definition jsonb NOT NULL,
    config jsonb NOT NULL,
    metadata jsonb NOT NULL,
    created_at double precision NOT NULL
);


--
-- Name: assistants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assistants (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    slug character varying(200),
    name text NOT NULL,
    description text,
    version integer NOT NULL,
    source character varying(16) NOT NULL,
    definition jsonb NOT NULL,
    config jsonb NOT NULL,
    metadata jsonb NOT NULL,
    context jsonb,
    created_by text,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id integer NOT NULL,
    org_id character varying(64) NOT NULL,
    key_id character varying(128),
    principal_user_id text,
    action character varying(64) NOT NULL,
    resource_type character varying(32) NOT NULL,
    resource_id text,
    at double precision NOT NULL
);


--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;


--
-- Name: checkpoint_blobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoint_blobs (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    channel text NOT NULL,
    version text NOT NULL,
    type text NOT NULL,
    blob bytea
);


--
-- Name: checkpoint_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoint_migrations (
    v integer NOT NULL
);


--
-- Name: checkpoint_writes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoint_writes (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    checkpoint_id text NOT NULL,
    task_id text NOT NULL,
    idx integer NOT NULL,
    channel text NOT NULL,
    type text,
    blob bytea NOT NULL,
    task_path text DEFAULT ''::text NOT NULL
);


--
-- Name: checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoints (
    thread_id text NOT NULL,
    checkpoint_ns text DEFAULT ''::text NOT NULL,
    checkpoint_id text NOT NULL,
    parent_checkpoint_id text,
    type text,
    checkpoint jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL
);


--
-- Name: client_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_secrets (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    key_id character varying(128),
    secret_hash character varying(64) NOT NULL,
    user_id text NOT NULL,
    xpert_id character varying(128),
    expires_at double precision NOT NULL,
    created_at double precision NOT NULL
);


--
-- Name: feedbacks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedbacks (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    message_id character varying(128) NOT NULL,
    thread_id character varying(128) NOT NULL,
    rating character varying(16) NOT NULL,
    content text,
    created_by text,
    created_at double precision NOT NULL
);


--
-- Name: files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.files (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    created_by text,
    key_id character varying(128),
    original_name text NOT NULL,
    storage_key text NOT NULL,
    size integer NOT NULL,
    sha256 character varying(64) NOT NULL,
    mime_type character varying(200) NOT NULL,
    purpose character varying(32) NOT NULL,
    parse_mode character varying(16) NOT NULL,
    parse_status character varying(16) NOT NULL,
    parse_error text,
    text text,
    summary text,
    context jsonb NOT NULL,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    credential_id character varying(128) NOT NULL,
    key character varying(256) NOT NULL,
    run_id character varying(128) NOT NULL,
    request_hash character varying(64) NOT NULL,
    created_at double precision NOT NULL
);


--
-- Name: knowledge_chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.knowledge_chunks (
    id integer NOT NULL,
    kb_id character varying(128) NOT NULL,
    document_id character varying(128) NOT NULL,
    seq integer NOT NULL,
    content text NOT NULL,
    lex tsvector NOT NULL,
    vector bytea
);


--
-- Name: knowledge_chunks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.knowledge_chunks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: knowledge_chunks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.knowledge_chunks_id_seq OWNED BY public.knowledge_chunks.id;


--
-- Name: knowledge_documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.knowledge_documents (
    id character varying(128) NOT NULL,
    kb_id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    name text NOT NULL,
    file_id character varying(128),
    text text,
    fields jsonb NOT NULL,
    status character varying(16) NOT NULL,
    progress double precision NOT NULL,
    process_msg text,
    chunk_count integer NOT NULL,
    queued integer NOT NULL,
    attempts integer NOT NULL,
    lease_until double precision,
    claim character varying(64),
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: knowledgebases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.knowledgebases (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    name character varying(200) NOT NULL,
    description text,
    permission character varying(32) NOT NULL,
    recall jsonb NOT NULL,
    parser_config jsonb NOT NULL,
    extra jsonb NOT NULL,
    embedder character varying(200) NOT NULL,
    index_version integer NOT NULL,
    created_by text,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    thread_id character varying(128) NOT NULL,
    role character varying(16) NOT NULL,
    content jsonb,
    reasoning jsonb,
    files jsonb,
    status character varying(16),
    error text,
    execution_id character varying(128),
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: orgs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgs (
    id character varying(64) NOT NULL,
    name text NOT NULL,
    created_at double precision NOT NULL
);


--
-- Name: run_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.run_events (
    run_id character varying(128) NOT NULL,
    seq integer NOT NULL,
    event character varying(32),
    data bytea NOT NULL,
    created_at double precision NOT NULL
);


--
-- Name: run_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.run_queue (
    run_id character varying(128) NOT NULL,
    thread_id character varying(128) NOT NULL,
    queue character varying(128) NOT NULL,
    state character varying(8) NOT NULL,
    worker_id character varying(64),
    lease_until double precision,
    attempt integer NOT NULL,
    cancel integer NOT NULL,
    ready_at double precision NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    thread_id character varying(128) NOT NULL,
    assistant_id character varying(128) NOT NULL,
    status character varying(16) NOT NULL,
    input jsonb,
    kwargs jsonb NOT NULL,
    metadata jsonb NOT NULL,
    created_by text,
    key_id character varying(128),
    error text,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name character varying(200) NOT NULL,
    applied_at double precision NOT NULL
);


--
-- Name: schema_migrations_version_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.schema_migrations_version_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: schema_migrations_version_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.schema_migrations_version_seq OWNED BY public.schema_migrations.version;


--
-- Name: store_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.store_items (
    org_id character varying(64) NOT NULL,
    namespace character varying(512) NOT NULL,
    key character varying(512) NOT NULL,
    value jsonb NOT NULL,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: threads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.threads (
    id character varying(128) NOT NULL,
    org_id character varying(64) NOT NULL,
    conversation_id character varying(128) NOT NULL,
    assistant_id character varying(128),
    status character varying(16) NOT NULL,
    title text,
    metadata jsonb NOT NULL,
    created_by text,
    updated_by text,
    key_id character varying(128),
    error text,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
);


--
-- Name: workers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workers (
    id character varying(64) NOT NULL,
    kind character varying(16) NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    proc_start text,
    concurrency integer NOT NULL,
    running integer NOT NULL,
    version character varying(32) NOT NULL,
    started_at double precision NOT NULL,
    heartbeat_at double precision NOT NULL
);


--
-- Name: audit_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);


--
-- Name: knowledge_chunks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_chunks ALTER COLUMN id SET DEFAULT nextval('public.knowledge_chunks_id_seq'::regclass);


--
-- Name: schema_migrations version; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations ALTER COLUMN version SET DEFAULT nextval('public.schema_migrations_version_seq'::regclass);


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_keys VALUES ('7a9a1172-46b9-4f48-93e3-c217f486e3f6', 'default', 'first start', '028f613b61e69bb3711408d9aad0c9b9a8f7037647dbf8e8fbc030de7b7592a4', 'sk-x-7824…0104', NULL, NULL, NULL, 1796289757.6715708);
INSERT INTO public.api_keys VALUES ('d6e36561-cf1a-465f-912b-be806855a684', 'fixture-org', NULL, 'ba7336a43d5b24d463e9b30259df42d9d259710c6d3544b481bc5abc813c1444', 'sk-x-fixt…0000', NULL, NULL, NULL, 1796289758.3575587);


--
-- Data for Name: assistant_versions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.assistant_versions VALUES ('d16ca749-a290-457f-9af3-80933388586b', 1, 'Demo', 'A friendly demo xpert that runs offline. Ask it anything, attach a file, ask the time or a sum.', '{"name": "Demo", "slug": "demo", "tags": ["demo"], "title": "Demo assistant", "tools": [{"name": "current_time"}, {"name": "calculator"}, {"name": "send_notification", "require_approval": true}], "description": "A friendly demo xpert that runs offline. Ask it anything, attach a file, ask the time or a sum.", "system_prompt": "You are a helpful assistant. Answer briefly and cite your sources when you use files or knowledge.\nUse your tools for the time and for arithmetic.\n"}', '{}', '{"slug": "demo", "tags": ["demo"], "type": "agent", "title": "Demo assistant"}', 1796289757.7334158);
INSERT INTO public.assistant_versions VALUES ('fixture-bot', 1, 'Fixture bot', NULL, '{"name": "Fixture bot", "slug": "fixture-bot", "model": {"provider": "offline"}}', '{}', '{"slug": "fixture-bot", "type": "agent", "title": "Fixture bot"}', 1796289758.4377038);
INSERT INTO public.assistant_versions VALUES ('4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5', 1, 'Other', NULL, '{"name": "Other", "slug": "fixture-other", "model": {"provider": "offline"}}', '{}', '{"slug": "fixture-other", "type": "agent", "title": "Other"}', 1796289758.4797962);
INSERT INTO public.assistant_versions VALUES ('fixture-bot', 2, 'Fixture bot', 'second version', '{"name": "Fixture bot", "slug": "fixture-bot", "model": {"provider": "offline"}, "description": "second version"}', '{}', '{"slug": "fixture-bot", "type": "agent", "title": "Fixture bot"}', 1796289758.5358028);


--
-- Data for Name: assistants; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.assistants VALUES ('d16ca749-a290-457f-9af3-80933388586b', 'default', 'demo', 'Demo', 'A friendly demo xpert that runs offline. Ask it anything, attach a file, ask the time or a sum.', 1, 'yaml', '{"name": "Demo", "slug": "demo", "tags": ["demo"], "title": "Demo assistant", "tools": [{"name": "current_time"}, {"name": "calculator"}, {"name": "send_notification", "require_approval": true}], "description": "A friendly demo xpert that runs offline. Ask it anything, attach a file, ask the time or a sum.", "system_prompt": "You are a helpful assistant. Answer briefly and cite your sources when you use files or knowledge.\nUse your tools for the time and for arithmetic.\n"}', '{}', '{"slug": "demo", "tags": ["demo"], "type": "agent", "title": "Demo assistant"}', 'null', NULL, 1796289757.7334158, 1796289757.7334158);
INSERT INTO public.assistants VALUES ('4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5', 'fixture-org', 'fixture-other', 'Other', NULL, 1, 'api', '{"name": "Other", "slug": "fixture-other", "model": {"provider": "offline"}}', '{}', '{"slug": "fixture-other", "type": "agent", "title": "Other"}', 'null', NULL, 1796289758.4797962, 1796289758.4797962);
INSERT INTO public.assistants VALUES ('fixture-bot', 'fixture-org', 'fixture-bot', 'Fixture bot', 'second version', 2, 'api', '{"name": "Fixture bot", "slug": "fixture-bot", "model": {"provider": "offline"}, "description": "second version"}', '{}', '{"slug": "fixture-bot", "type": "agent", "title": "Fixture bot"}', 'null', NULL, 1796289758.4377038, 1796289758.5358028);


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_log VALUES (1, 'default', NULL, NULL, 'create', 'org', 'default', 1796289757.6289854);
INSERT INTO public.audit_log VALUES (2, 'default', NULL, NULL, 'create', 'api_key', '7a9a1172-46b9-4f48-93e3-c217f486e3f6', 1796289757.6782594);
INSERT INTO public.audit_log VALUES (3, 'default', NULL, NULL, 'create', 'assistant', 'd16ca749-a290-457f-9af3-80933388586b', 1796289757.7610526);
INSERT INTO public.audit_log VALUES (4, 'fixture-org', NULL, NULL, 'create', 'org', 'fixture-org', 1796289758.3370771);
INSERT INTO public.audit_log VALUES (5, 'fixture-org', NULL, NULL, 'create', 'api_key', 'd6e36561-cf1a-465f-912b-be806855a684', 1796289758.369389);
INSERT INTO public.audit_log VALUES (6, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'assistant', 'fixture-bot', 1796289758.4530838);
INSERT INTO public.audit_log VALUES (7, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'assistant', '4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5', 1796289758.5016048);
INSERT INTO public.audit_log VALUES (8, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'update', 'assistant', 'fixture-bot', 1796289758.5595214);
INSERT INTO public.audit_log VALUES (9, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'thread', 'fixture-thread', 1796289758.5783982);
INSERT INTO public.audit_log VALUES (10, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'run', '194125a6-5cae-431e-981d-691465830282', 1796289758.6110206);
INSERT INTO public.audit_log VALUES (11, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'run', 'ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 1796289758.8180146);
INSERT INTO public.audit_log VALUES (12, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'thread', '1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', 1796289759.065886);
INSERT INTO public.audit_log VALUES (13, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'run', '5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 1796289759.1003957);
INSERT INTO public.audit_log VALUES (14, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'feedback', '43113f92-7de1-43ed-9eb5-9b5acf107ca8', 1796289759.2410984);
INSERT INTO public.audit_log VALUES (15, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'file', 'e34c22bb-62ee-4866-baba-27b80d7f0ce4', 1796289759.8810499);
INSERT INTO public.audit_log VALUES (16, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'knowledgebase', 'a468c216-7944-41e4-acf2-e5ac0105be8e', 1796289759.9192793);
INSERT INTO public.audit_log VALUES (17, 'fixture-org', 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 'create', 'knowledge_document', '2582de41-eaff-4895-a1d8-7f2396b6c720', 1796289759.9812374);


--
-- Data for Name: checkpoint_blobs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', '__start__', '00000000000000000000000000000001.0.3308298032777931', 'msgpack', '\x81a86d6573736167657391c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', 'messages', '00000000000000000000000000000002.0.7660197720411196', 'msgpack', '\x91c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', 'messages', '00000000000000000000000000000003.0.17456062638173642', 'msgpack', '\x92c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6ec802500594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011e49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6170706c6573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', '__start__', '00000000000000000000000000000004.0.017625543886432338', 'msgpack', '\x81a86d6573736167657391c7b10594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a762616e616e6173b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92464346464346465382d366461642d343339612d393532342d356338343165633266623839b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', 'messages', '00000000000000000000000000000005.0.0579409394616105', 'msgpack', '\x93c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6ec802500594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011e49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6170706c6573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6ec7b10594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a762616e616e6173b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92464346464346465382d366461642d343339612d393532342d356338343165633266623839b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('fixture-thread', '', 'messages', '00000000000000000000000000000006.0.7615922930833575', 'msgpack', '\x94c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6ec802500594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011e49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6170706c6573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6ec7b10594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a762616e616e6173b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92464346464346465382d366461642d343339612d393532342d356338343165633266623839b36d6f64656c5f76616c69646174655f6a736f6ec802520594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011f49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c62616e616e6173e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e734bad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e73cc92b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '__start__', '00000000000000000000000000000001.0.710694313579954', 'msgpack', '\x81a86d6573736167657391c7b20594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a86368657272696573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92465326332313934312d636463622d343534612d396233362d393633333061633063623336b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', 'messages', '00000000000000000000000000000002.0.8024813877525231', 'msgpack', '\x91c7b20594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a86368657272696573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92465326332313934312d636463622d343534612d396233362d393633333061633063623336b36d6f64656c5f76616c69646174655f6a736f6e');
INSERT INTO public.checkpoint_blobs VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', 'messages', '00000000000000000000000000000003.0.02662684460314524', 'msgpack', '\x92c7b20594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a86368657272696573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92465326332313934312d636463622d343534612d396233362d393633333061633063623336b36d6f64656c5f76616c69646174655f6a736f6ec802520594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da012049276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6368657272696573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6e');


--
-- Data for Name: checkpoint_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.checkpoint_migrations VALUES (0);
INSERT INTO public.checkpoint_migrations VALUES (1);
INSERT INTO public.checkpoint_migrations VALUES (2);
INSERT INTO public.checkpoint_migrations VALUES (3);
INSERT INTO public.checkpoint_migrations VALUES (4);
INSERT INTO public.checkpoint_migrations VALUES (5);
INSERT INTO public.checkpoint_migrations VALUES (6);
INSERT INTO public.checkpoint_migrations VALUES (7);
INSERT INTO public.checkpoint_migrations VALUES (8);
INSERT INTO public.checkpoint_migrations VALUES (9);


--
-- Data for Name: checkpoint_writes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-54c8-6513-bfff-b1c34540fa17', 'f26ac199-c437-0b11-38b9-5b06cef9e8c6', 0, 'messages', 'msgpack', '\x91c7b00594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a66170706c6573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92461646437383765382d356230382d343165652d383436382d633638396635656661376133b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-54c8-6513-bfff-b1c34540fa17', 'f26ac199-c437-0b11-38b9-5b06cef9e8c6', 1, 'branch:to:agent', 'null', '\x', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-54d0-673b-8000-c65d2d2170e5', '9f9f9e4a-52c4-fb58-f9ea-2e599b5ddb17', 0, 'messages', 'msgpack', '\x91c802500594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011e49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6170706c6573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, agent');
INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-56ff-6078-8002-843c1ce8a38a', '08a78467-e51b-3acb-9fcf-46d80a63bdaa', 0, 'messages', 'msgpack', '\x91c7b10594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a762616e616e6173b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92464346464346465382d366461642d343339612d393532342d356338343165633266623839b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-56ff-6078-8002-843c1ce8a38a', '08a78467-e51b-3acb-9fcf-46d80a63bdaa', 1, 'branch:to:agent', 'null', '\x', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('fixture-thread', '', '1f1eefb1-5710-64f2-8003-b91e6f847125', '17b1568b-2c30-0278-bd47-0a25957c35f3', 0, 'messages', 'msgpack', '\x91c802520594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da011f49276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c62616e616e6173e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e734bad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e73cc92b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, agent');
INSERT INTO public.checkpoint_writes VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-5959-6e98-bfff-cbceb55c97eb', '159c1828-cb76-1b70-c692-18cfe60f969d', 0, 'messages', 'msgpack', '\x91c7b20594bd6c616e67636861696e5f636f72652e6d657373616765732e68756d616eac48756d616e4d65737361676586a7636f6e74656e74a86368657272696573b16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746180a474797065a568756d616ea46e616d65c0a26964d92465326332313934312d636463622d343534612d396233362d393633333061633063623336b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-5959-6e98-bfff-cbceb55c97eb', '159c1828-cb76-1b70-c692-18cfe60f969d', 1, 'branch:to:agent', 'null', '\x', '~__pregel_pull, __start__');
INSERT INTO public.checkpoint_writes VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-595e-657a-8000-d937abe6b3c6', 'c74c363c-0000-33fb-8d80-f42667a039a7', 0, 'messages', 'msgpack', '\x91c802520594ba6c616e67636861696e5f636f72652e6d657373616765732e6169a941494d65737361676589a7636f6e74656e74da012049276d20746865206275696c742d696e206f66666c696e65206d6f64656c3a206e6f206c616e6775616765206d6f64656c20697320636f6e6e65637465642c20736f20492063616e2774207265616c6c7920616e737765722e20596f7520736169643a20e2809c6368657272696573e2809d2e20546f207573652061207265616c206d6f64656c2c207365742058504552545f4d4f44454c5f424153455f55524c20616e642058504552545f4d4f44454c2028616e642058504552545f4d4f44454c5f4150495f4b45592069662074686520656e64706f696e74206e65656473206f6e652920666f7220746865207365727665722c206f7220676976652074686973207870657274206120606d6f64656c3a6020696e206974732059414d4c2eb16164646974696f6e616c5f6b776172677380b1726573706f6e73655f6d6574616461746182aa6d6f64656c5f6e616d65ad78706572742d6f66666c696e65ad66696e6973685f726561736f6ea473746f70a474797065a26169a46e616d65c0a26964d92c6c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235aa746f6f6c5f63616c6c7390b2696e76616c69645f746f6f6c5f63616c6c7390ae75736167655f6d6574616461746183ac696e7075745f746f6b656e7302ad6f75747075745f746f6b656e7347ac746f74616c5f746f6b656e7349b36d6f64656c5f76616c69646174655f6a736f6e', '~__pregel_pull, agent');


--
-- Data for Name: checkpoints; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-54c8-6513-bfff-b1c34540fa17', NULL, NULL, '{"v": 4, "id": "1f1eefb1-54c8-6513-bfff-b1c34540fa17", "ts": "2026-12-03T09:22:38.673417+00:00", "versions_seen": {"__input__": {}}, "channel_values": {}, "channel_versions": {"__start__": "00000000000000000000000000000001.0.3308298032777931"}, "updated_channels": ["__start__"]}', '{"step": -1, "run_id": "194125a6-5cae-431e-981d-691465830282", "source": "input", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-54d0-673b-8000-c65d2d2170e5', '1f1eefb1-54c8-6513-bfff-b1c34540fa17', NULL, '{"v": 4, "id": "1f1eefb1-54d0-673b-8000-c65d2d2170e5", "ts": "2026-12-03T09:22:38.676738+00:00", "versions_seen": {"__input__": {}, "__start__": {"__start__": "00000000000000000000000000000001.0.3308298032777931"}}, "channel_values": {"branch:to:agent": null}, "channel_versions": {"messages": "00000000000000000000000000000002.0.7660197720411196", "__start__": "00000000000000000000000000000002.0.7660197720411196", "branch:to:agent": "00000000000000000000000000000002.0.7660197720411196"}, "updated_channels": ["branch:to:agent", "messages"]}', '{"step": 0, "run_id": "194125a6-5cae-431e-981d-691465830282", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-550e-6318-8001-80414e6233fd', '1f1eefb1-54d0-673b-8000-c65d2d2170e5', NULL, '{"v": 4, "id": "1f1eefb1-550e-6318-8001-80414e6233fd", "ts": "2026-12-03T09:22:38.702031+00:00", "versions_seen": {"agent": {"branch:to:agent": "00000000000000000000000000000002.0.7660197720411196"}, "__input__": {}, "__start__": {"__start__": "00000000000000000000000000000001.0.3308298032777931"}}, "channel_values": {}, "channel_versions": {"messages": "00000000000000000000000000000003.0.17456062638173642", "__start__": "00000000000000000000000000000002.0.7660197720411196", "branch:to:agent": "00000000000000000000000000000003.0.17456062638173642"}, "updated_channels": ["messages"]}', '{"step": 1, "run_id": "194125a6-5cae-431e-981d-691465830282", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-56ff-6078-8002-843c1ce8a38a', '1f1eefb1-550e-6318-8001-80414e6233fd', NULL, '{"v": 4, "id": "1f1eefb1-56ff-6078-8002-843c1ce8a38a", "ts": "2026-12-03T09:22:38.905533+00:00", "versions_seen": {"agent": {"branch:to:agent": "00000000000000000000000000000002.0.7660197720411196"}, "__input__": {}, "__start__": {"__start__": "00000000000000000000000000000001.0.3308298032777931"}}, "channel_values": {}, "channel_versions": {"messages": "00000000000000000000000000000003.0.17456062638173642", "__start__": "00000000000000000000000000000004.0.017625543886432338", "branch:to:agent": "00000000000000000000000000000003.0.17456062638173642"}, "updated_channels": ["__start__"]}', '{"step": 2, "run_id": "ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7", "source": "input", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-5710-64f2-8003-b91e6f847125', '1f1eefb1-56ff-6078-8002-843c1ce8a38a', NULL, '{"v": 4, "id": "1f1eefb1-5710-64f2-8003-b91e6f847125", "ts": "2026-12-03T09:22:38.912610+00:00", "versions_seen": {"agent": {"branch:to:agent": "00000000000000000000000000000002.0.7660197720411196"}, "__input__": {}, "__start__": {"__start__": "00000000000000000000000000000004.0.017625543886432338"}}, "channel_values": {"branch:to:agent": null}, "channel_versions": {"messages": "00000000000000000000000000000005.0.0579409394616105", "__start__": "00000000000000000000000000000005.0.0579409394616105", "branch:to:agent": "00000000000000000000000000000005.0.0579409394616105"}, "updated_channels": ["branch:to:agent", "messages"]}', '{"step": 3, "run_id": "ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('fixture-thread', '', '1f1eefb1-5759-6950-8004-eb4af9ec1744', '1f1eefb1-5710-64f2-8003-b91e6f847125', NULL, '{"v": 4, "id": "1f1eefb1-5759-6950-8004-eb4af9ec1744", "ts": "2026-12-03T09:22:38.942618+00:00", "versions_seen": {"agent": {"branch:to:agent": "00000000000000000000000000000005.0.0579409394616105"}, "__input__": {}, "__start__": {"__start__": "00000000000000000000000000000004.0.017625543886432338"}}, "channel_values": {}, "channel_versions": {"messages": "00000000000000000000000000000006.0.7615922930833575", "__start__": "00000000000000000000000000000005.0.0579409394616105", "branch:to:agent": "00000000000000000000000000000006.0.7615922930833575"}, "updated_channels": ["messages"]}', '{"step": 4, "run_id": "ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "fixture-bot"}');
INSERT INTO public.checkpoints VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-5959-6e98-bfff-cbceb55c97eb', NULL, NULL, '{"v": 4, "id": "1f1eefb1-5959-6e98-bfff-cbceb55c97eb", "ts": "2026-12-03T09:22:39.152487+00:00", "versions_seen": {"__input__": {}}, "channel_values": {}, "channel_versions": {"__start__": "00000000000000000000000000000001.0.710694313579954"}, "updated_channels": ["__start__"]}', '{"step": -1, "run_id": "5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb", "source": "input", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5"}');
INSERT INTO public.checkpoints VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-595e-657a-8000-d937abe6b3c6', '1f1eefb1-5959-6e98-bfff-cbceb55c97eb', NULL, '{"v": 4, "id": "1f1eefb1-595e-657a-8000-d937abe6b3c6", "ts": "2026-12-03T09:22:39.154292+00:00", "versions_seen": {"__input__": {}, "__start__": {"__start__": "00000000000000000000000000000001.0.710694313579954"}}, "channel_values": {"branch:to:agent": null}, "channel_versions": {"messages": "00000000000000000000000000000002.0.8024813877525231", "__start__": "00000000000000000000000000000002.0.8024813877525231", "branch:to:agent": "00000000000000000000000000000002.0.8024813877525231"}, "updated_channels": ["branch:to:agent", "messages"]}', '{"step": 0, "run_id": "5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5"}');
INSERT INTO public.checkpoints VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '', '1f1eefb1-5994-6a63-8001-4597f67e94c5', '1f1eefb1-595e-657a-8000-d937abe6b3c6', NULL, '{"v": 4, "id": "1f1eefb1-5994-6a63-8001-4597f67e94c5", "ts": "2026-12-03T09:22:39.176531+00:00", "versions_seen": {"agent": {"branch:to:agent": "00000000000000000000000000000002.0.8024813877525231"}, "__input__": {}, "__start__": {"__start__": "00000000000000000000000000000001.0.710694313579954"}}, "channel_values": {}, "channel_versions": {"messages": "00000000000000000000000000000003.0.02662684460314524", "__start__": "00000000000000000000000000000002.0.8024813877525231", "branch:to:agent": "00000000000000000000000000000003.0.02662684460314524"}, "updated_channels": ["messages"]}', '{"step": 1, "run_id": "5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb", "source": "loop", "parents": {}, "xpert_org_id": "fixture-org", "xpert_assistant_id": "4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5"}');


--
-- Data for Name: client_secrets; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: feedbacks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.feedbacks VALUES ('43113f92-7de1-43ed-9eb5-9b5acf107ca8', 'fixture-org', '92114475-2efe-4713-a6f9-ecf80dad7eea', 'fixture-thread', 'like', NULL, NULL, 1796289759.2384982);


--
-- Data for Name: files; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.files VALUES ('e34c22bb-62ee-4866-baba-27b80d7f0ce4', 'fixture-org', NULL, 'd6e36561-cf1a-465f-912b-be806855a684', 'facts.txt', 'fixture-org/e3/e34c22bb-62ee-4866-baba-27b80d7f0ce4', 24, '3709dec59296dd8d81a5e2c642ce5747359e51b6cbb2ab874213619681350fad', 'text/plain', 'chat_attachment', 'auto', 'ready', NULL, 'The fixture fact is 42.
', 'The fixture fact is 42.', '{}', 1796289759.8693347, 1796289759.9322565);


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: knowledge_chunks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.knowledge_chunks VALUES (1, 'a468c216-7944-41e4-acf2-e5ac0105be8e', '2582de41-eaff-4895-a1d8-7f2396b6c720', 0, 'Durian is a fruit.', '''durian'':1 ''fruit'':2', '\xb9c8aebc54287bbd63cd813d5914d1b900fe5f3ced688d3d3112813d123482bd8247453d098c383df4c1843d998da13cde612c3d8c0218bdefc4b7bbcba03fbd360208bd2afd68bd060e933dc0bf57bd05503d3d8488ce3cb2f8943cf6aa67bc7880dcbc184f75ba548561bd1b914fbd99684dbd3583c33c326c343d0eb0403c21b84d3d8d90b6bc37122f3d66bbbe3c4a51703d40d25b3d1e5192bd0b7c07bd705736bc8eb32739dfc10e3d840262bde82744bddd5b59bccf4f673beeb278bd51d697bd22e894bdeae336bc7e4b143d0696bf3c589c1e3b401e7dbc330dac3c901e283cbdcd64bd8e2a48bdf733573cabf17fbd46b12cbdd1d5193bca9458bdb48a32bdb8d3593da7feb83c924883bcc61cf4bb0075853d5def033c456f603dcd975b3b890b423cd7f25e3d214d2a3d17e431bd69eb8fbd367fb9bbd27f133dfacf82bd6e077b3d7d5518bd3f90913d2d8e4f3d9f328b3d21c4d13c433e913d83f2e9bbd84a4f3aa251963c88a9aebc442828bd32653cbb65d31b3d4f9253bd4e0a0e3cd6b2fa3c58c2eb3bf0d656bcda3b683df62a853d98fcc13b15ec263d4ff0853d0c65b43a21f2b23c4e209cbc751391bd740ad9bb1a55463dfa816cbc615b92bdd789733d94bc183d9ded80bc87ac8a3d80d4543d61a0963d9d9c1b3c0b9c493da2f485bd1e605c3d7e3707bd7092713da7bd38bdb6ea81bd2e9b9bbcf80f0abd97573d3d79391bbd99b259bd16a589bdc82dd9bc716a97bd4a8a423d3dff6ebcfcef2a3df4068dbbf7f28cbd865d573bd9cd0ebdbd0b56bd9042edbcff7b5d3db1d2213dfeac973cdb22893df689073d584199bb0bdfb2bcdbabf2bc34907a3dd9605b3da624913dafc3c13c461dcebad782313dc7323bbdf37796bd56bc7bbc384c143d2155febc403207bde19a01bd1724b73c1a40a9bc1a6f203d20850a3d1688c33a039f7bbd2fc98abbeca1fa3c5a2fb9b708f1d0bc20d04fbd6dcfb43c0319523de81d593d7a166cbd356207bddd0f8b3db47f903d87accd3ca9cc803d7dfa7dbd2385e93cfefb243db9e00cbaca5f8b3d4f60723de1bc173d9c7b15bd3d9fe93b8ede76bd9a4a70bda5cb1a3cdd2ff4bbe828a9bc2e218c3dec61643d3fea933d60fe9a3c2bac1a3d097286bda4e02f3d911b973db815063dbd0b5e3da43b2dbd5c6e813d4d8ed9bc09a8d83c3ff287bdb00ebc3cd256973cb4fed7bcfe64e83ce7762d3de1edd3bc9d40b53c0f0c35bd245c3d3d59f592bd05c8c6bc14c58bbdd290493d559e183d9d1795bd7ce6ed3c592782bcb364843dbe664d3db30c87bdd72d5abdc20a67bdf4ca9dbc23988bbd84e000bd61a7563c2c8f1b3d00952fbde4403fbd3fac063d9e0d1b3d409c04bd49ad85bb21fcfe3cfebe323d69193bbd927e26bd98aa81bc46f138bdaa9c80bde379543d979381bcd88e903dada8c23c6f3d363dfa1f5cbd6ceba9bb73f6e7bc1cac8abd5a3a82bdfbbd66bdcfed473d4b6131bcd761c8bce703083dd33ae5b914d324bdb24abfbcac441d3cde54833d0922883c5cc6593d3da2c23cb641bfbc614c8abd90184dbc814a91bd19580bbd3bb074bd5ee2423dacf72ebdedd19d3bf87e69bdd32c863d1d742b3d65e38e3de3e977bddb03303baf188cbd796474bda516cf3ccee21fbdfc8f85bdcd814abbf2192d3bb0ecc13c357f38bc0776c1bc93f65abdee3951bdc2fc7abdf53a0abd692ae73c2b4b633d18d134bddbb169bdc71b893b0410943dd499813c632c07bd84d8783d51927b3d47bccb3c56f1883ce7c56d3d775294bd31b540bcaea797bd8e17e43b85e3c93c582c003cf90a973db81f673de9fff93c0af68d3c8702e63af214c5bcd0e4c03cfa60e03b670b95bcf3a6a6bab7cf923c1dc7d3bc1f4c57bd117d3f3b98ee2e3dfed58cbdac0aa13b4d2e4d3df6495dbd392489bdc97738bcf95214bd4dab87bde24b94bc3b102d3ca4c2bb3c882d90ba656820bd4b1e53bd49c5813dfa18623d947f96bc8049043d7d3e863cdac76f3c74340dbdbbead3bc90fa38bc82e41e3b66545c3d79c627bd7665303d7dc0213d622bd7bc83a094bb35b1313dab5e88bd6a8b893dd42b72bbbdc994bd064b2dbd3fa98b3cef506e3cf5d2a43c1914fa3ce239283cdbd8413d7ee181bd97768b3d3689733c51825cbd587f523c97398dbd6af0f53a2f77433ab9d7273d03d3383c20e2263d889ee3bb6ba96dbc929d40bda59925bd3d8ba53c2f14703d7f32b6bb3cb757bc056b54bd93468a3ddfe58e3d204f403dddbe57bd524a3a3a0d9a873d6549853da5bf763da87df73c61ff023dfb861b3de51256bd0d758bbd7df687bc4a41ca3c74cbd33c7a387e3db24a8ebd27763fbd40f80a3d9f1441bdad7a913de4a0003db98d4d3da4dac1bc7edb37bd0564fabc71a9a6bc6014ea3bfda48dbde81181bc5612833d0e4a55bd7a9c34bc44950f3d40478dbd24b387bd65432fbde1217dbd0303f13c5a153a3c05e858bcdf7686bc445c9a3bbb69d43c59cc8f3d30971dbd1ea47a3d599dcb3ccb835e3d639465bdc26722bd3fb676bdc9f5543d236e903d75eb2dbd8f422abd29c14a3ce1470eba8c49dd3c228596bd6be74bbd3c23613dcd3732bdcccb4ebd500295bd2423023d42f7413d046ca23bc0ec34bc86e0823df118973dafdd05bd315743bd2985dc3c7600e1bc21e4833d9c24023d5c8c5e3d31748a3d2679a9bcccb7b0bc05374e3dccedbcbc59d796bd8ea98a3dd2b290bd5de4493bd03557bdd3183e3de9e3bbbba505e73caedf513dbf1494bdbb3442bd79389e3cd1c974bd9efd96bc57117a3d34b9653d8bb7503d4243823c83ae06bd87531b3dc0372dbd697d70bd690f7c3d4247233d92cb85bdcd6a30bd');


--
-- Data for Name: knowledge_documents; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.knowledge_documents VALUES ('2582de41-eaff-4895-a1d8-7f2396b6c720', 'a468c216-7944-41e4-acf2-e5ac0105be8e', 'fixture-org', 'doc', NULL, 'Durian is a fruit.', '{}', 'finish', 100, NULL, 1, 0, 1, NULL, 'a49deefc403e9263', 1796289759.9715354, 1796289764.8668966);


--
-- Data for Name: knowledgebases; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.knowledgebases VALUES ('a468c216-7944-41e4-acf2-e5ac0105be8e', 'fixture-org', 'fixture-kb', NULL, 'private', '{"topK": 5, "score": 0.0}', '{}', '{}', 'use-multilingual-v3', 1, NULL, 1796289759.89654, 1796289759.89654);


--
-- Data for Name: messages; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.messages VALUES ('647b64ab-3a44-480c-a791-0f2de80d7190', 'fixture-org', 'fixture-thread', 'human', '"apples"', 'null', 'null', 'success', NULL, '194125a6-5cae-431e-981d-691465830282', 1796289758.6024265, 1796289758.6024265);
INSERT INTO public.messages VALUES ('92114475-2efe-4713-a6f9-ecf80dad7eea', 'fixture-org', 'fixture-thread', 'ai', '[{"id": "lc_run--e600c78b-3870-48ec-8478-b01f7df14b0b", "text": "I''m the built-in offline model: no language model is connected, so I can''t really answer. You said: “apples”. To use a real model, set XPERT_MODEL_BASE_URL and XPERT_MODEL (and XPERT_MODEL_API_KEY if the endpoint needs one) for the server, or give this xpert a `model:` in its YAML.", "type": "text"}]', 'null', 'null', 'success', NULL, '194125a6-5cae-431e-981d-691465830282', 1796289758.6024275, 1796289758.7301126);
INSERT INTO public.messages VALUES ('3dfdfcbc-6882-4f5f-a00c-17aeebe38f80', 'fixture-org', 'fixture-thread', 'human', '"bananas"', 'null', 'null', 'success', NULL, 'ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 1796289758.8019974, 1796289758.8019974);
INSERT INTO public.messages VALUES ('e8dbfd58-174e-4dd6-addf-7bcb6108c53c', 'fixture-org', 'fixture-thread', 'ai', '[{"id": "lc_run--04f77437-de57-4194-a126-28a822a4fe35", "text": "I''m the built-in offline model: no language model is connected, so I can''t really answer. You said: “bananas”. To use a real model, set XPERT_MODEL_BASE_URL and XPERT_MODEL (and XPERT_MODEL_API_KEY if the endpoint needs one) for the server, or give this xpert a `model:` in its YAML.", "type": "text"}]', 'null', 'null', 'success', NULL, 'ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 1796289758.8019984, 1796289758.9936717);
INSERT INTO public.messages VALUES ('a2ae6206-d30e-4d73-acf4-ab56db98b61e', 'fixture-org', '1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', 'human', '"cherries"', 'null', 'null', 'success', NULL, '5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 1796289759.0865662, 1796289759.0865662);
INSERT INTO public.messages VALUES ('547b3392-7f5d-4865-927e-0f4fe421f3e7', 'fixture-org', '1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', 'ai', '[{"id": "lc_run--35551e7b-e20f-4382-a1ca-7a33de6e9325", "text": "I''m the built-in offline model: no language model is connected, so I can''t really answer. You said: “cherries”. To use a real model, set XPERT_MODEL_BASE_URL and XPERT_MODEL (and XPERT_MODEL_API_KEY if the endpoint needs one) for the server, or give this xpert a `model:` in its YAML.", "type": "text"}]', 'null', 'null', 'success', NULL, '5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 1796289759.0865672, 1796289759.2057128);


--
-- Data for Name: orgs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.orgs VALUES ('default', 'Default', 1796289757.6258895);
INSERT INTO public.orgs VALUES ('fixture-org', 'fixture-org', 1796289758.3341298);


--
-- Data for Name: run_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 1, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f7374617274222c2264617461223a7b226964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c227469746c65223a226170706c6573222c22737461747573223a2262757379222c22637265617465644174223a22323032362d31322d30335430393a32323a33382e3536385a222c22757064617465644174223a22323032362d31322d30335430393a32323a33382e3632395a227d7d', 1796289758.6318457);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 2, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f7374617274222c2264617461223a7b226964223a2239323131343437352d326566652d343731332d613666392d656366383064616437656561222c22726f6c65223a226169222c22636f6e74656e74223a22222c22657865637574696f6e4964223a2231393431323561362d356361652d343331652d393831642d363931343635383330323832222c22636f6e766572736174696f6e4964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c22737461747573223a227468696e6b696e67227d7d', 1796289758.6318457);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 3, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f7374617274222c2264617461223a7b226964223a2231393431323561362d356361652d343331652d393831642d363931343635383330323832222c226167656e744b6579223a22666978747572652d626f74222c22737461747573223a2272756e6e696e67222c227468726561644964223a22666978747572652d746872656164222c2278706572744964223a22666978747572652d626f74227d7d', 1796289758.6318457);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 4, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2249276d222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 5, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 6, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206275696c742d696e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 7, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206f66666c696e65222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 8, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206d6f64656c3a222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 9, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206e6f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 10, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206c616e6775616765222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 11, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206d6f64656c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 12, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206973222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6835065);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 13, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220636f6e6e65637465642c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 14, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220736f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 15, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222049222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 16, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222063616e2774222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 17, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22207265616c6c79222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 18, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220616e737765722e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 19, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220596f75222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 20, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220736169643a222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 21, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220e2809c6170706c6573e2809d2e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 22, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220546f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 23, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220757365222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 24, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222061222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 25, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22207265616c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 26, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206d6f64656c2c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 27, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220736574222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.6933913);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 28, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222058504552545f4d4f44454c5f424153455f55524c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 29, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220616e64222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 30, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222058504552545f4d4f44454c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 31, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222028616e64222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 32, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222058504552545f4d4f44454c5f4150495f4b4559222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 33, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206966222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 34, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 35, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220656e64706f696e74222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 36, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206e65656473222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 37, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206f6e6529222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 38, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220666f72222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 39, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 40, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22207365727665722c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 41, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22206f72222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 42, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222067697665222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 43, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222074686973222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 44, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a22207870657274222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 45, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222061222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 46, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220606d6f64656c3a60222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 47, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220696e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 48, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a2220697473222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 49, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d65363030633738622d333837302d343865632d383437382d623031663764663134623062222c2274657874223a222059414d4c2e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.7043545);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 50, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f656e64222c2264617461223a7b226964223a2231393431323561362d356361652d343331652d393831642d363931343635383330323832222c226167656e744b6579223a22666978747572652d626f74222c22737461747573223a2273756363657373222c22656c617073656454696d65223a3130302c22696e707574546f6b656e73223a322c226f7574707574546f6b656e73223a37312c22746f74616c546f6b656e73223a37332c22746f6b656e73223a37332c2278706572744964223a22666978747572652d626f74227d7d', 1796289758.7323778);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 51, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f656e64222c2264617461223a7b226964223a2239323131343437352d326566652d343731332d613666392d656366383064616437656561222c22636f6e766572736174696f6e4964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c22657865637574696f6e4964223a2231393431323561362d356361652d343331652d393831642d363931343635383330323832222c22726f6c65223a226169222c22737461747573223a2273756363657373227d7d', 1796289758.7323778);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 52, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f656e64222c2264617461223a7b226964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c227469746c65223a226170706c6573222c22737461747573223a2269646c65227d7d', 1796289758.7323778);
INSERT INTO public.run_events VALUES ('194125a6-5cae-431e-981d-691465830282', 53, 'complete', '\x7b2274797065223a22636f6d706c657465227d', 1796289758.7594857);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 1, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f7374617274222c2264617461223a7b226964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c227469746c65223a226170706c6573222c22737461747573223a2262757379222c22637265617465644174223a22323032362d31322d30335430393a32323a33382e3536385a222c22757064617465644174223a22323032362d31322d30335430393a32323a33382e3837375a227d7d', 1796289758.8804045);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 2, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f7374617274222c2264617461223a7b226964223a2265386462666435382d313734652d346464362d616464662d376263623631303863353363222c22726f6c65223a226169222c22636f6e74656e74223a22222c22657865637574696f6e4964223a2261643962316362392d346138332d346562372d393466352d356336663135313339636337222c22636f6e766572736174696f6e4964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c22737461747573223a227468696e6b696e67227d7d', 1796289758.8804045);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 3, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f7374617274222c2264617461223a7b226964223a2261643962316362392d346138332d346562372d393466352d356336663135313339636337222c226167656e744b6579223a22666978747572652d626f74222c22737461747573223a2272756e6e696e67222c227468726561644964223a22666978747572652d746872656164222c2278706572744964223a22666978747572652d626f74227d7d', 1796289758.8804045);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 4, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2249276d222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 5, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 6, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206275696c742d696e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 7, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206f66666c696e65222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 8, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206d6f64656c3a222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 9, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206e6f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 10, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206c616e6775616765222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 11, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206d6f64656c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 12, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206973222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9224172);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 13, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220636f6e6e65637465642c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 14, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220736f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 15, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222049222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 16, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222063616e2774222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 17, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22207265616c6c79222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 18, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220616e737765722e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 19, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220596f75222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 20, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220736169643a222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 21, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220e2809c62616e616e6173e2809d2e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 22, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220546f222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 23, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220757365222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 24, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222061222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 25, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22207265616c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 26, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206d6f64656c2c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 27, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220736574222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 28, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222058504552545f4d4f44454c5f424153455f55524c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 29, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220616e64222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 30, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222058504552545f4d4f44454c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 31, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222028616e64222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 32, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222058504552545f4d4f44454c5f4150495f4b4559222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 33, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206966222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 34, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 35, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220656e64706f696e74222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 36, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206e65656473222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 37, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206f6e6529222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 38, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220666f72222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 39, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 40, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22207365727665722c222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 41, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22206f72222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 42, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222067697665222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 43, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222074686973222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 44, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a22207870657274222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 45, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222061222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 46, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220606d6f64656c3a60222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 47, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220696e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 48, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a2220697473222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 49, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d30346637373433372d646535372d343139342d613132362d323861383232613466653335222c2274657874223a222059414d4c2e222c226167656e744b6579223a22666978747572652d626f74227d7d', 1796289758.9450674);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 50, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f656e64222c2264617461223a7b226964223a2261643962316362392d346138332d346562372d393466352d356336663135313339636337222c226167656e744b6579223a22666978747572652d626f74222c22737461747573223a2273756363657373222c22656c617073656454696d65223a3131362c22696e707574546f6b656e73223a37352c226f7574707574546f6b656e73223a37312c22746f74616c546f6b656e73223a3134362c22746f6b656e73223a3134362c2278706572744964223a22666978747572652d626f74227d7d', 1796289758.9959474);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 51, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f656e64222c2264617461223a7b226964223a2265386462666435382d313734652d346464362d616464662d376263623631303863353363222c22636f6e766572736174696f6e4964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c22657865637574696f6e4964223a2261643962316362392d346138332d346562372d393466352d356336663135313339636337222c22726f6c65223a226169222c22737461747573223a2273756363657373227d7d', 1796289758.9959474);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 52, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f656e64222c2264617461223a7b226964223a2231323530623161642d343831622d346463662d613265382d396133366335646133343434222c227469746c65223a226170706c6573222c22737461747573223a2269646c65227d7d', 1796289758.9959474);
INSERT INTO public.run_events VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 53, 'complete', '\x7b2274797065223a22636f6d706c657465227d', 1796289759.0283031);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 1, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f7374617274222c2264617461223a7b226964223a2239346130666566362d343937662d346466312d386233652d383236373539323863636465222c227469746c65223a226368657272696573222c22737461747573223a2262757379222c22637265617465644174223a22323032362d31322d30335430393a32323a33392e3036315a222c22757064617465644174223a22323032362d31322d30335430393a32323a33392e3133335a227d7d', 1796289759.1370554);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 2, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f7374617274222c2264617461223a7b226964223a2235343762333339322d376635642d343836352d393237652d306634666534323166336537222c22726f6c65223a226169222c22636f6e74656e74223a22222c22657865637574696f6e4964223a2235646664626362382d636538362d346564352d616361372d366230323136356132376262222c22636f6e766572736174696f6e4964223a2239346130666566362d343937662d346466312d386233652d383236373539323863636465222c22737461747573223a227468696e6b696e67227d7d', 1796289759.1370554);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 3, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f7374617274222c2264617461223a7b226964223a2235646664626362382d636538362d346564352d616361372d366230323136356132376262222c226167656e744b6579223a22666978747572652d6f74686572222c22737461747573223a2272756e6e696e67222c227468726561644964223a2231663539663739642d613066382d343136332d623339632d626633396235336635663466222c2278706572744964223a2234383730666463662d356366392d343561372d626331652d386638386562323261666135227d7d', 1796289759.1370554);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 4, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2249276d222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 5, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 6, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206275696c742d696e222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 7, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206f66666c696e65222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 8, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206d6f64656c3a222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 9, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206e6f222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 10, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206c616e6775616765222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 11, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206d6f64656c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 12, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206973222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 13, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220636f6e6e65637465642c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 14, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220736f222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 15, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222049222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 16, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222063616e2774222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 17, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22207265616c6c79222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 18, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220616e737765722e222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 19, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220596f75222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 20, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220736169643a222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 21, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220e2809c6368657272696573e2809d2e222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 22, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220546f222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 23, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220757365222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 24, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222061222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 25, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22207265616c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 26, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206d6f64656c2c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 27, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220736574222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 28, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222058504552545f4d4f44454c5f424153455f55524c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 29, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220616e64222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 30, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222058504552545f4d4f44454c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 31, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222028616e64222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 32, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222058504552545f4d4f44454c5f4150495f4b4559222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 33, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206966222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 34, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 35, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220656e64706f696e74222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 36, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206e65656473222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 37, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206f6e6529222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 38, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220666f72222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 39, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220746865222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 40, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22207365727665722c222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 41, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22206f72222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 42, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222067697665222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 43, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222074686973222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 44, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a22207870657274222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 45, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222061222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 46, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220606d6f64656c3a60222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 47, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220696e222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 48, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a2220697473222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 49, NULL, '\x7b2274797065223a226d657373616765222c2264617461223a7b2274797065223a2274657874222c226964223a226c635f72756e2d2d33353535316537622d653230662d343338322d613163612d376133336465366539333235222c2274657874223a222059414d4c2e222c226167656e744b6579223a22666978747572652d6f74686572227d7d', 1796289759.177715);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 50, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6167656e745f656e64222c2264617461223a7b226964223a2235646664626362382d636538362d346564352d616361372d366230323136356132376262222c226167656e744b6579223a22666978747572652d6f74686572222c22737461747573223a2273756363657373222c22656c617073656454696d65223a37322c22696e707574546f6b656e73223a322c226f7574707574546f6b656e73223a37312c22746f74616c546f6b656e73223a37332c22746f6b656e73223a37332c2278706572744964223a2234383730666463662d356366392d343561372d626331652d386638386562323261666135227d7d', 1796289759.20854);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 51, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f6d6573736167655f656e64222c2264617461223a7b226964223a2235343762333339322d376635642d343836352d393237652d306634666534323166336537222c22636f6e766572736174696f6e4964223a2239346130666566362d343937662d346466312d386233652d383236373539323863636465222c22657865637574696f6e4964223a2235646664626362382d636538362d346564352d616361372d366230323136356132376262222c22726f6c65223a226169222c22737461747573223a2273756363657373227d7d', 1796289759.20854);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 52, NULL, '\x7b2274797065223a226576656e74222c226576656e74223a226f6e5f636f6e766572736174696f6e5f656e64222c2264617461223a7b226964223a2239346130666566362d343937662d346466312d386233652d383236373539323863636465222c227469746c65223a226368657272696573222c22737461747573223a2269646c65227d7d', 1796289759.20854);
INSERT INTO public.run_events VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 53, 'complete', '\x7b2274797065223a22636f6d706c657465227d', 1796289759.2167363);


--
-- Data for Name: run_queue; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.runs VALUES ('194125a6-5cae-431e-981d-691465830282', 'fixture-org', 'fixture-thread', 'fixture-bot', 'success', '{"action": "send", "message": {"input": {"input": "apples"}}}', '{"run_timeout": 3600.0, "ai_message_id": "92114475-2efe-4713-a6f9-ecf80dad7eea"}', '{}', NULL, 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 1796289758.6023703, 1796289758.7301369);
INSERT INTO public.runs VALUES ('ad9b1cb9-4a83-4eb7-94f5-5c6f15139cc7', 'fixture-org', 'fixture-thread', 'fixture-bot', 'success', '{"action": "send", "message": {"input": {"input": "bananas"}}}', '{"run_timeout": 3600.0, "ai_message_id": "e8dbfd58-174e-4dd6-addf-7bcb6108c53c"}', '{}', NULL, 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 1796289758.8019392, 1796289758.993697);
INSERT INTO public.runs VALUES ('5dfdbcb8-ce86-4ed5-aca7-6b02165a27bb', 'fixture-org', '1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', '4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5', 'success', '{"action": "send", "message": {"input": {"input": "cherries"}}}', '{"run_timeout": 3600.0, "ai_message_id": "547b3392-7f5d-4865-927e-0f4fe421f3e7"}', '{}', NULL, 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 1796289759.0865078, 1796289759.2057352);


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES (1, 'initial: orgs, keys, assistants, threads, audit, runs, events, messages', 1796289757.3624034);
INSERT INTO public.schema_migrations VALUES (2, 'context files, knowledge bases, documents and chunks', 1796289757.5184128);
INSERT INTO public.schema_migrations VALUES (3, 'chatkit client secrets', 1796289757.5534496);
INSERT INTO public.schema_migrations VALUES (4, 'store items and idempotency keys', 1796289757.5839474);
INSERT INTO public.schema_migrations VALUES (5, 'scale-out: run queue (leases) and live processes', 1796289757.6153848);


--
-- Data for Name: store_items; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_items VALUES ('fixture-org', 'fixture', 'k', '{"v": 1}', 1796289764.9377244, 1796289764.9377244);


--
-- Data for Name: threads; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.threads VALUES ('fixture-thread', 'fixture-org', '1250b1ad-481b-4dcf-a2e8-9a36c5da3444', 'fixture-bot', 'idle', 'apples', '{"owner": "fixture"}', NULL, NULL, 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 1796289758.5683546, 1796289758.993697);
INSERT INTO public.threads VALUES ('1f59f79d-a0f8-4163-b39c-bf39b53f5f4f', 'fixture-org', '94a0fef6-497f-4df1-8b3e-82675928ccde', '4870fdcf-5cf9-45a7-bc1e-8f88eb22afa5', 'idle', 'cherries', '{}', NULL, NULL, 'd6e36561-cf1a-465f-912b-be806855a684', NULL, 1796289759.0619419, 1796289759.2057352);


--
-- Data for Name: workers; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Name: audit_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_log_id_seq', 17, true);


--
-- Name: knowledge_chunks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.knowledge_chunks_id_seq', 1, true);


--
-- Name: schema_migrations_version_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.schema_migrations_version_seq', 1, false);


--
-- Name: api_keys api_keys_key_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: assistant_versions assistant_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistant_versions
    ADD CONSTRAINT assistant_versions_pkey PRIMARY KEY (assistant_id, version);


--
-- Name: assistants assistants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistants
    ADD CONSTRAINT assistants_pkey PRIMARY KEY (id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: checkpoint_blobs checkpoint_blobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoint_blobs
    ADD CONSTRAINT checkpoint_blobs_pkey PRIMARY KEY (thread_id, checkpoint_ns, channel, version);


--
-- Name: checkpoint_migrations checkpoint_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoint_migrations
    ADD CONSTRAINT checkpoint_migrations_pkey PRIMARY KEY (v);


--
-- Name: checkpoint_writes checkpoint_writes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoint_writes
    ADD CONSTRAINT checkpoint_writes_pkey PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx);


--
-- Name: checkpoints checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id);


--
-- Name: client_secrets client_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_secrets
    ADD CONSTRAINT client_secrets_pkey PRIMARY KEY (id);


--
-- Name: client_secrets client_secrets_secret_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_secrets
    ADD CONSTRAINT client_secrets_secret_hash_key UNIQUE (secret_hash);


--
-- Name: feedbacks feedbacks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedbacks
    ADD CONSTRAINT feedbacks_pkey PRIMARY KEY (id);


--
-- Name: files files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (credential_id, key);


--
-- Name: knowledge_chunks knowledge_chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_chunks
    ADD CONSTRAINT knowledge_chunks_pkey PRIMARY KEY (id);


--
-- Name: knowledge_documents knowledge_documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_documents
    ADD CONSTRAINT knowledge_documents_pkey PRIMARY KEY (id);


--
-- Name: knowledgebases knowledgebases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledgebases
    ADD CONSTRAINT knowledgebases_pkey PRIMARY KEY (id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: orgs orgs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (id);


--
-- Name: run_events run_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_events
    ADD CONSTRAINT run_events_pkey PRIMARY KEY (run_id, seq);


--
-- Name: run_queue run_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_queue
    ADD CONSTRAINT run_queue_pkey PRIMARY KEY (run_id);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: store_items store_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.store_items
    ADD CONSTRAINT store_items_pkey PRIMARY KEY (org_id, namespace, key);


--
-- Name: threads threads_conversation_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.threads
    ADD CONSTRAINT threads_conversation_id_key UNIQUE (conversation_id);


--
-- Name: threads threads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.threads
    ADD CONSTRAINT threads_pkey PRIMARY KEY (id);


--
-- Name: assistants uq_assistants_org_slug; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistants
    ADD CONSTRAINT uq_assistants_org_slug UNIQUE (org_id, slug);


--
-- Name: knowledgebases uq_knowledgebases_org_name; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledgebases
    ADD CONSTRAINT uq_knowledgebases_org_name UNIQUE (org_id, name);


--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (id);


--
-- Name: checkpoint_blobs_thread_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkpoint_blobs_thread_id_idx ON public.checkpoint_blobs USING btree (thread_id);


--
-- Name: checkpoint_writes_thread_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkpoint_writes_thread_id_idx ON public.checkpoint_writes USING btree (thread_id);


--
-- Name: checkpoints_thread_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkpoints_thread_id_idx ON public.checkpoints USING btree (thread_id);


--
-- Name: ix_api_keys_org_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_api_keys_org_id ON public.api_keys USING btree (org_id);


--
-- Name: ix_assistants_org_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_assistants_org_created ON public.assistants USING btree (org_id, created_at);


--
-- Name: ix_audit_org_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_org_at ON public.audit_log USING btree (org_id, at);


--
-- Name: ix_client_secrets_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_client_secrets_expires_at ON public.client_secrets USING btree (expires_at);


--
-- Name: ix_client_secrets_key_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_client_secrets_key_id ON public.client_secrets USING btree (key_id);


--
-- Name: ix_feedbacks_message_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feedbacks_message_id ON public.feedbacks USING btree (message_id);


--
-- Name: ix_files_org_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_org_created ON public.files USING btree (org_id, created_at);


--
-- Name: ix_files_parse_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_files_parse_status ON public.files USING btree (parse_status);


--
-- Name: ix_idempotency_keys_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_idempotency_keys_created_at ON public.idempotency_keys USING btree (created_at);


--
-- Name: ix_kchunks_doc; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kchunks_doc ON public.knowledge_chunks USING btree (document_id, seq);


--
-- Name: ix_kchunks_kb; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kchunks_kb ON public.knowledge_chunks USING btree (kb_id);


--
-- Name: ix_kchunks_lex; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kchunks_lex ON public.knowledge_chunks USING gin (lex);


--
-- Name: ix_kdocs_kb; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kdocs_kb ON public.knowledge_documents USING btree (kb_id, created_at);


--
-- Name: ix_kdocs_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kdocs_status ON public.knowledge_documents USING btree (status);


--
-- Name: ix_messages_thread_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_messages_thread_created ON public.messages USING btree (thread_id, created_at);


--
-- Name: ix_run_queue_claim; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_run_queue_claim ON public.run_queue USING btree (queue, state, ready_at);


--
-- Name: ix_run_queue_thread; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_run_queue_thread ON public.run_queue USING btree (thread_id, state);


--
-- Name: ix_run_queue_worker; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_run_queue_worker ON public.run_queue USING btree (worker_id);


--
-- Name: ix_runs_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_runs_status ON public.runs USING btree (status);


--
-- Name: ix_runs_thread_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_runs_thread_created ON public.runs USING btree (thread_id, created_at);


--
-- Name: ix_threads_org_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_threads_org_created ON public.threads USING btree (org_id, created_at);


--
-- Name: ix_threads_org_user_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_threads_org_user_created ON public.threads USING btree (org_id, created_by, created_at);


--
-- PostgreSQL database dump complete
--


