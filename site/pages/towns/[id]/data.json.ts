/** /towns/<id>/data.json — the town's targets, tasks and approved progress, generated at build time. */
import type { APIRoute } from 'astro';
import { townPaths } from '../../../lib/data.ts';
import { bundleOf, loadTownData } from '../../../lib/town-data.ts';

export const getStaticPaths = townPaths;
export const GET: APIRoute = async ({ props }) => Response.json(await loadTownData(bundleOf(props)));
