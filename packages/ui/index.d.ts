/** The directory holding the built single-page app (index.html and hashed assets). */
export declare const uiDir: string;
/** Whether the app has been built (`npm run build` in packages/ui). */
export declare function uiBuilt(): boolean;
