// The part of cornerstone-core (which ships no types) that the viewer uses.
declare module 'cornerstone-core' {
  export interface CornerstoneImage {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number;
    windowWidth: number;
    getPixelData(): ArrayLike<number>;
    rows: number;
    columns: number;
    height: number;
    width: number;
    color: boolean;
    rgba?: boolean;
    invert: boolean;
    columnPixelSpacing: number;
    rowPixelSpacing: number;
    sizeInBytes: number;
  }

  export interface VoiLutTable {
    firstValueMapped: number;
    numBitsPerEntry: number;
    lut: ArrayLike<number>;
  }

  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: { windowWidth: number; windowCenter: number };
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    voiLUT?: VoiLutTable;
  }

  const cornerstone: {
    enable(element: HTMLElement, options?: object): void;
    disable(element: HTMLElement): void;
    displayImage(element: HTMLElement, image: CornerstoneImage, viewport?: Partial<Viewport>): void;
    getViewport(element: HTMLElement): Viewport | undefined;
    setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
    getDefaultViewportForImage(element: HTMLElement, image: CornerstoneImage): Viewport;
    fitToWindow(element: HTMLElement): void;
    resize(element: HTMLElement, fitViewportToWindow?: boolean): void;
    reset(element: HTMLElement): void;
  };
  export default cornerstone;
}
